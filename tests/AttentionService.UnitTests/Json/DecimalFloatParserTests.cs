using System.Globalization;
using System.Text;
using System.Text.Json;
using AttentionService.Contracts.Json;

namespace AttentionService.Tests.Http.Json;

/// <summary>
/// The fast decimal path gives bit for bit what Utf8JsonReader.TryGetSingle gives (its reference twin), or declines;
/// it never answers differently. Fixed seed; numbers written the ways clients write them, plus float32 midpoints.
/// </summary>
public sealed class DecimalFloatParserTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("0.1")]
    [InlineData("-0.1234567")]
    [InlineData("16777217")]
    [InlineData("1e10")]
    [InlineData("1E-10")]
    [InlineData("2.5e+3")]
    [InlineData("0.000000000000000000001")]
    [InlineData("9007199254740993")]
    [InlineData("3.4028235e38")]
    [InlineData("1e39")]
    [InlineData("1e-50")]
    [InlineData("123456789012345678901")]
    public void AgreesWithTheReaderOnEdgeCases(string number) => AssertAgrees(number);

    [Fact]
    public void AgreesWithTheReaderOnRandomNumbers()
    {
        var random = new Random(20240605);
        var fastPathTaken = 0;
        for (var n = 0; n < 200_000; n++)
        {
            var f = (float)(random.NextDouble() * 2 - 1) * MathF.Pow(10, random.Next(-8, 9));
            fastPathTaken += AssertAgrees(f.ToString("R", CultureInfo.InvariantCulture)) ? 1 : 0;
            AssertAgrees(f.ToString("F" + random.Next(0, 10), CultureInfo.InvariantCulture));
            AssertAgrees(((double)f).ToString("E" + random.Next(0, 17), CultureInfo.InvariantCulture));
            var anyBits = BitConverter.Int32BitsToSingle(random.Next());
            if (float.IsFinite(anyBits)) AssertAgrees(anyBits.ToString("R", CultureInfo.InvariantCulture));
        }
        // The point of the parser: the numbers clients send take the fast path.
        Assert.True(fastPathTaken > 190_000, $"fast path taken for {fastPathTaken} of 200000 shortest round-trip numbers");
    }

    [Fact]
    public void DeclinesOrAgreesExactlyHalfwayBetweenTwoFloats()
    {
        var random = new Random(7);
        for (var n = 0; n < 100_000; n++)
        {
            var f = (float)(random.NextDouble() * Math.Pow(10, random.Next(-8, 9)));
            var midpoint = ((double)f + MathF.BitIncrement(f)) / 2;
            AssertAgrees(midpoint.ToString("R", CultureInfo.InvariantCulture));
            AssertAgrees(midpoint.ToString("G17", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>True when the fast path answered (and agreed); false when it declined.</summary>
    private static bool AssertAgrees(string number)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(number));
        Assert.True(reader.Read());
        Assert.Equal(JsonTokenType.Number, reader.TokenType);
        if (!DecimalFloatParser.TryParse(reader.ValueSpan, out var fast)) return false;
        Assert.True(reader.TryGetSingle(out var expected), $"{number}: the fast path answered {fast:R}, the reader refuses it");
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(fast),
            $"{number}: fast path {fast:R}, reader {expected:R}");
        return true;
    }
}

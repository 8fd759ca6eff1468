using AttentionService.ModelBuilder.Weights;

namespace AttentionService.Tests.ModelBuilder;

public sealed class SeededWeightsTests
{
    [Fact]
    public void SplitMix64MatchesThePublishedSequenceForSeedZero()
    {
        var random = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, random.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, random.NextUInt64());
    }

    [Fact]
    public void NextDoubleStaysInTheUnitInterval()
    {
        var random = new SplitMix64(7);
        var draws = Enumerable.Range(0, 10_000).Select(_ => random.NextDouble()).ToArray();
        Assert.All(draws, x => Assert.InRange(x, 0.0, Math.BitDecrement(1.0)));
        Assert.InRange(draws.Average(), 0.49, 0.51);
    }

    [Fact]
    public void GlorotUniformFillsItsSymmetricLimit()
    {
        var limit = GlorotUniform.Limit(64, 64);
        Assert.Equal(Math.Sqrt(6.0 / 128), limit, 15);
        var matrix = GlorotUniform.Matrix(new SplitMix64(1), 64, 64);
        Assert.Equal(64 * 64, matrix.Length);
        Assert.All(matrix, x => Assert.InRange(x, -limit, limit));
        Assert.True(matrix.Max() > 0.95 * limit && matrix.Min() < -0.95 * limit,
            $"values span [{matrix.Min()}, {matrix.Max()}], expected most of [-{limit}, {limit}]");
    }

    [Fact]
    public void TheSameSeedGivesTheSameMatrixAndAnotherSeedDoesNot()
    {
        Assert.Equal(GlorotUniform.Matrix(new SplitMix64(5), 8, 3), GlorotUniform.Matrix(new SplitMix64(5), 8, 3));
        Assert.NotEqual(GlorotUniform.Matrix(new SplitMix64(5), 8, 3), GlorotUniform.Matrix(new SplitMix64(6), 8, 3));
    }
}

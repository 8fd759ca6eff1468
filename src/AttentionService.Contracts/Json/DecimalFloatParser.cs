namespace AttentionService.Contracts.Json;

/// <summary>
/// The common JSON number as float32, fast: at most 19 significant digits and a decimal exponent within ±22 are
/// converted with one correctly rounded double multiply or divide (Clinger's fast path: both operands are exact
/// doubles), then rounded to float. Returns false for everything else, and for the rare double that lies exactly
/// halfway between two floats (where rounding twice could differ from rounding once); the caller then falls back to
/// <c>Utf8JsonReader.TryGetSingle</c>, so the result always equals what that returns.
/// </summary>
internal static class DecimalFloatParser
{
    private const int MaxDigits = 19;
    private const int MaxExactPowerOfTen = 22;
    private const ulong MaxExactMantissa = 1UL << 53;

    /// <summary>The low 29 bits of a double below float32's precision, and their pattern at a float32 midpoint.</summary>
    private const ulong BelowFloatPrecision = (1UL << 29) - 1;
    private const ulong FloatMidpoint = 1UL << 28;

    private static readonly double[] PowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>Parses <paramref name="number"/>, a token the JSON reader has already validated as a number.</summary>
    public static bool TryParse(ReadOnlySpan<byte> number, out float value)
    {
        value = 0;
        var i = 0;
        var negative = number.Length > 0 && number[0] == (byte)'-';
        if (negative) i++;

        ulong mantissa = 0;
        int digits = 0, exponent = 0;
        for (; i < number.Length && IsDigit(number[i]); i++)
            if (!Accumulate(number[i], ref mantissa, ref digits)) return false;
        if (i < number.Length && number[i] == (byte)'.')
        {
            for (i++; i < number.Length && IsDigit(number[i]); i++)
            {
                if (!Accumulate(number[i], ref mantissa, ref digits)) return false;
                exponent--;
            }
        }
        if (i < number.Length && (number[i] | 0x20) == (byte)'e')
        {
            i++;
            var sign = i < number.Length && number[i] == (byte)'-' ? -1 : 1;
            if (i < number.Length && number[i] is (byte)'-' or (byte)'+') i++;
            var written = 0;
            for (; i < number.Length && IsDigit(number[i]); i++)
            {
                written = written * 10 + (number[i] - '0');
                // Far outside float32 either way: the full parser decides (and words the error).
                if (written > 1000) return false;
            }
            exponent += sign * written;
        }
        if (i != number.Length) return false;

        if (mantissa == 0)
        {
            value = negative ? -0f : 0f;
            return true;
        }
        if (mantissa > MaxExactMantissa || exponent < -MaxExactPowerOfTen || exponent > MaxExactPowerOfTen) return false;

        var result = exponent < 0 ? mantissa / PowersOfTen[-exponent] : mantissa * PowersOfTen[exponent];
        if ((BitConverter.DoubleToUInt64Bits(result) & BelowFloatPrecision) == FloatMidpoint) return false;
        value = negative ? -(float)result : (float)result;
        return true;
    }

    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    /// <summary>Appends a digit; leading zeros do not count towards the significant digits.</summary>
    private static bool Accumulate(byte c, ref ulong mantissa, ref int digits)
    {
        if (digits == 0 && c == (byte)'0') return true;
        if (++digits > MaxDigits) return false;
        mantissa = mantissa * 10 + (ulong)(c - '0');
        return true;
    }
}

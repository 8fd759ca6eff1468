namespace AttentionService.ModelBuilder.Weights;

/// <summary>
/// Steele, Lea and Flood's SplitMix64 generator. Written out here so the committed weights depend only on this file,
/// never on the runtime's <see cref="System.Random"/> algorithm.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A double in [0, 1) from the top 53 bits, so every value is exactly representable.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}

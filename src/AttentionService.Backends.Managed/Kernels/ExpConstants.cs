namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Constants of the vector e^x (Cephes expf): e^x = 2^n · e^r with n = round(x·log2 e) and r = x − n·ln 2 split into
/// a high part exact in float and a low correction, then a degree-6 polynomial for e^r on [−ln2/2, ln2/2].
/// </summary>
internal static class ExpConstants
{
    /// <summary>Below this e^x is under float's normal range (2^-126); the kernels return 0.</summary>
    public const float Lowest = -87.33654f;

    /// <summary>Above this 2^n would overflow the exponent field.</summary>
    public const float Highest = 88.3762626647949f;

    public const float Log2E = 1.44269504088896341f;
    public const float Ln2High = 0.693359375f;
    public const float Ln2Low = -2.12194440e-4f;

    public const float P0 = 1.9875691500E-4f;
    public const float P1 = 1.3981999507E-3f;
    public const float P2 = 8.3334519073E-3f;
    public const float P3 = 4.1665795894E-2f;
    public const float P4 = 1.6666665459E-1f;
    public const float P5 = 5.0000001201E-1f;
}

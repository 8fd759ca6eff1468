namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Whether a kernel call has enough work for 256- and 512-bit vectors. On Intel server cores (this machine is a
/// Skylake-SP) heavy 256- and 512-bit float instructions (FMA, multiply, the exp polynomial) move the core to a lower
/// clock for about a millisecond afterwards, which slows everything else the request does, mostly parsing its JSON,
/// by more than a small kernel gains; 128-bit instructions never do. A decoder-step request took 555 µs of CPU with
/// its few µs of attention on wide vectors and 489 µs with wide vectors off process-wide (docs/performance.md), so
/// calls below <see cref="WideWork"/> run on 128-bit vectors.
/// </summary>
public static class VectorWidth
{
    /// <summary>Multiply-adds (matrix multiply) or elements (softmax, elementwise) from which wide vectors pay.</summary>
    public const long WideWork = 1L << 16;

    public static bool Wide(long work) => work >= WideWork;
}

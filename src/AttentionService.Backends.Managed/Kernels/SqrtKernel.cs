using System.Numerics.Tensors;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>Elementwise square root (TensorPrimitives' vectorized Sqrt, with exact-length validation); negative input gives NaN.</summary>
public static class SqrtKernel
{
    public static void Sqrt(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (destination.Length != x.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, x has {x.Length}", nameof(destination));
        TensorPrimitives.Sqrt(x, destination);
    }
}

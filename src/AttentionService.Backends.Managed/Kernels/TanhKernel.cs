using System.Numerics.Tensors;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>Elementwise hyperbolic tangent (TensorPrimitives' vectorized Tanh, with exact-length validation).</summary>
public static class TanhKernel
{
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (destination.Length != x.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, x has {x.Length}", nameof(destination));
        TensorPrimitives.Tanh(x, destination);
    }
}

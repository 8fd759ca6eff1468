using AttentionService.Backends.Managed.Kernels;

namespace AttentionService.Tests.Managed;

/// <summary>The vector widths each kernel has a path for; tests run every path, not only the one this CPU picks.</summary>
public enum KernelWidth
{
    Lanes16,
    Lanes8,
    Lanes4,
    Scalar,
}

internal static class KernelWidthExtensions
{
    public static VectorWidth ToVectorWidth(this KernelWidth width) => width switch
    {
        KernelWidth.Lanes16 => VectorWidth.Bits512,
        KernelWidth.Lanes8 => VectorWidth.Bits256,
        KernelWidth.Lanes4 => VectorWidth.Bits128,
        _ => VectorWidth.Scalar,
    };

    /// <summary>Runs a kernel's body at this width, through the dispatcher kernels use.</summary>
    public static void Run<TBody>(this KernelWidth width, TBody body) where TBody : IVectorBody, allows ref struct =>
        VectorDispatch.Run(body, width.ToVectorWidth());
}

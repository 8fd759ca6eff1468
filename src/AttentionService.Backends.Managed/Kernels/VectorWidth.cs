namespace AttentionService.Backends.Managed.Kernels;

/// <summary>The vector widths a kernel body runs at; <see cref="VectorDispatch"/> picks one per call.</summary>
internal enum VectorWidth
{
    Scalar,
    Bits128,
    Bits256,
    Bits512,
}

using AttentionService.Core.Tensors;

namespace AttentionService.Core.Backends;

/// <summary>
/// One tensor a run holds: its name, how many elements it has and how many bytes they take; <see cref="Exact"/> is
/// false for a size that is only a conservative guess.
/// </summary>
public readonly record struct TensorSize(string Name, long Elements, long Bytes, bool Exact = true)
{
    public static TensorSize Of(string name, TensorElementType type, long elements, bool exact = true) =>
        new(name, elements, elements == long.MaxValue ? long.MaxValue : elements * TensorElementTypes.SizeOf(type), exact);
}

/// <summary>
/// What a run will hold for given inputs, known before it starts: each output, the largest intermediate and the bytes
/// the intermediates take at once. <see cref="Planned"/> says whether the graph's own shape inference gave it (the
/// managed plan, which reuses an intermediate's buffer once its last reader ran) or a conservative estimate from the
/// signature. <see cref="Stopped"/>: measuring stopped at a tensor above the limit it was given, which
/// <see cref="LargestIntermediate"/> or an output names; the byte counts are then incomplete.
/// </summary>
public sealed record RunFootprint(IReadOnlyList<TensorSize> Outputs, TensorSize? LargestIntermediate, long IntermediateBytes, bool Planned, bool Stopped = false)
{
    public long OutputBytes
    {
        get
        {
            long bytes = 0;
            foreach (var output in Outputs) bytes += output.Bytes;
            return bytes;
        }
    }

    /// <summary>Outputs and intermediates together (the inputs are the caller's).</summary>
    public long Bytes => OutputBytes + IntermediateBytes;
}

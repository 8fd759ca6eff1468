using AttentionService.Core.Tensors;

namespace AttentionService.Core.Backends;

/// <summary>
/// Checks of the caller-owned outputs handed to <see cref="IModelBackend.Run"/>, shared by the backends so their
/// messages agree. Each check allocates nothing unless it throws.
/// </summary>
public static class OutputDestinations
{
    /// <summary>Throws when there is not one destination per output.</summary>
    public static void CheckCount(ReadOnlySpan<TensorView> outputs, IReadOnlyList<string> outputNames)
    {
        if (outputs.Length != outputNames.Count)
            throw new ArgumentException(
                $"the model has {outputNames.Count} outputs ({string.Join(", ", outputNames)}), got {outputs.Length} output tensors", nameof(outputs));
    }

    /// <summary>Throws when output <paramref name="index"/> does not have the shape the run produces.</summary>
    public static void CheckShape(ReadOnlySpan<TensorView> outputs, int index, string name, ReadOnlySpan<int> expected)
    {
        if (!outputs[index].Shape.AsSpan().SequenceEqual(expected))
            throw new ArgumentException(
                $"output '{name}' (index {index}) is a tensor of shape [{string.Join(", ", outputs[index].Shape)}], the run produces [{string.Join(", ", expected.ToArray())}]",
                nameof(outputs));
    }

    /// <summary>Throws when an output overlaps an input (which a run must never write) or another output.</summary>
    public static void CheckDistinct(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs, IReadOnlyList<string> outputNames)
    {
        for (var o = 0; o < outputs.Length; o++)
        {
            for (var i = 0; i < inputs.Length; i++)
                if (outputs[o].Overlaps(inputs[i]))
                    throw new ArgumentException($"output '{outputNames[o]}' (index {o}) shares its buffer with input {i}; inputs are never written", nameof(outputs));
            for (var earlier = 0; earlier < o; earlier++)
                if (outputs[o].Overlaps(outputs[earlier]))
                    throw new ArgumentException($"outputs '{outputNames[earlier]}' and '{outputNames[o]}' share one buffer", nameof(outputs));
        }
    }
}

using AttentionService.Core.Tensors;

namespace AttentionService.Core.Backends;

/// <summary>
/// Checks of the caller-owned output tensors handed to <see cref="IModelBackend.Run(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, CancellationToken)"/>,
/// shared by the backends so their messages agree. Each check allocates nothing unless it throws.
/// </summary>
public static class OutputDestinations
{
    /// <summary>Throws when there is not one destination per output.</summary>
    public static void CheckCount(IReadOnlyList<Tensor> outputs, IReadOnlyList<string> outputNames)
    {
        if (outputs.Count != outputNames.Count)
            throw new ArgumentException(
                $"the model has {outputNames.Count} outputs ({string.Join(", ", outputNames)}), got {outputs.Count} output tensors", nameof(outputs));
    }

    /// <summary>Throws when output <paramref name="index"/> does not have the shape the run produces.</summary>
    public static void CheckShape(IReadOnlyList<Tensor> outputs, int index, string name, ReadOnlySpan<int> expected)
    {
        if (!outputs[index].Shape.AsSpan().SequenceEqual(expected))
            throw new ArgumentException(
                $"output '{name}' (index {index}) is a tensor of shape [{string.Join(", ", outputs[index].Shape)}], the run produces [{string.Join(", ", expected.ToArray())}]",
                nameof(outputs));
    }

    /// <summary>Throws when an output shares its buffer with an input (which a run must never write) or with another output.</summary>
    public static void CheckDistinct(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, IReadOnlyList<string> outputNames)
    {
        for (var o = 0; o < outputs.Count; o++)
        {
            var buffer = outputs[o].Buffer;
            for (var i = 0; i < inputs.Count; i++)
                if (ReferenceEquals(buffer, inputs[i].Buffer))
                    throw new ArgumentException($"output '{outputNames[o]}' (index {o}) shares its buffer with input {i}; inputs are never written", nameof(outputs));
            for (var earlier = 0; earlier < o; earlier++)
                if (ReferenceEquals(buffer, outputs[earlier].Buffer))
                    throw new ArgumentException($"outputs '{outputNames[earlier]}' and '{outputNames[o]}' share one buffer", nameof(outputs));
        }
    }

    /// <summary>Copies <paramref name="results"/> of an allocating run into the caller's <paramref name="outputs"/>, checking count and shapes.</summary>
    public static void CopyInto(Tensor[] results, IReadOnlyList<Tensor> outputs, IReadOnlyList<string> outputNames)
    {
        CheckCount(outputs, outputNames);
        for (var o = 0; o < results.Length; o++)
        {
            CheckShape(outputs, o, outputNames[o], results[o].Shape);
            results[o].Span.CopyTo(outputs[o].Span);
        }
    }
}

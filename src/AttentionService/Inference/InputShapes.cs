using AttentionService.Contracts;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Registry;

namespace AttentionService.Inference;

/// <summary>
/// Checks a request's inputs against the graph before a run, in the words of the request: a fixed dimension of the
/// export is named by what it is to /attend ("this model takes batch = 2 exactly"), and symbolic dimensions that share
/// a name (d in query and keys, tv in keys and values) must agree. Ranks and element types are settled before this.
/// </summary>
public static class InputShapes
{
    /// <summary>A 422 saying what does not fit, or null; <paramref name="labels"/> name each input as the request sent it.</summary>
    public static InferenceError? Check(string modelName, ModelSignature signature, ModelBinding binding,
        ReadOnlySpan<TensorView> inputs, InputLabels labels, bool batched)
    {
        for (var i = 0; i < inputs.Length; i++)
        {
            var spec = signature.Inputs[i];
            var shape = inputs[i].Shape;
            for (var axis = 0; axis < shape.Length; axis++)
            {
                if (spec.Shape[axis] >= 0 && shape[axis] != spec.Shape[axis])
                {
                    var dimension = DimensionName(signature, binding, i, axis);
                    var sent = axis == 0 && !batched && !binding.IsExtraInput(i)
                        ? $"{labels[i]} has no batch axis, so batch = 1"
                        : $"{labels[i]} has {dimension} = {shape[axis]}";
                    return InferenceError.Unprocessable(
                        $"model '{modelName}' takes {dimension} = {spec.Shape[axis]} exactly ({binding.InputName(i)} {spec.ShapeText}); {sent}");
                }
                if (spec.DimNames[axis] is not { } name || FirstWithName(signature, inputs, i, name) is not var (input, size) || size == shape[axis]) continue;
                return InferenceError.Unprocessable($"model '{modelName}': {labels[i]} has {name} = {shape[axis]} but {labels[input]} has {name} = {size}");
            }
        }
        return null;
    }

    /// <summary>What axis <paramref name="axis"/> of input <paramref name="input"/> is to /attend: batch, query length, key length, d, dv.</summary>
    private static string DimensionName(ModelSignature signature, ModelBinding binding, int input, int axis)
    {
        var rank = signature.Inputs[input].Rank;
        if (input == binding.Query) return Role(axis, rank, "query length", "d");
        if (input == binding.Keys) return Role(axis, rank, "key length", "d");
        if (input == binding.Values) return Role(axis, rank, "key length", "dv");
        if (input == binding.Mask) return axis == 0 ? "batch" : rank == 3 && axis == 1 ? "query length" : "key length";
        // An extra input's leading axis is the batch when the graph names it as the query's.
        var names = signature.Inputs[input].DimNames;
        if (axis == 0 && names[0] is { } first && first == signature.Inputs[binding.Query].DimNames[0]) return "batch";
        return names[axis] ?? $"dimension {axis}";
    }

    private static string Role(int axis, int rank, string positions, string features) =>
        axis == 0 ? "batch" : axis == rank - 1 ? features : positions;

    /// <summary>The first input before <paramref name="before"/> with a dimension named <paramref name="name"/>, and its size there.</summary>
    private static (int Input, int Size)? FirstWithName(ModelSignature signature, ReadOnlySpan<TensorView> inputs, int before, string name)
    {
        for (var i = 0; i < before; i++)
        {
            var names = signature.Inputs[i].DimNames;
            for (var axis = 0; axis < names.Length; axis++)
                if (names[axis] == name) return (i, inputs[i].Shape[axis]);
        }
        return null;
    }
}

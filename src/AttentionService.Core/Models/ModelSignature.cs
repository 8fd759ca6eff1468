using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Core.Models;

/// <summary>What a model takes and returns, read from its ONNX graph, plus its metadata_props.</summary>
public sealed class ModelSignature
{
    public ModelSignature(IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs,
        IReadOnlyDictionary<string, string> metadata, string description)
    {
        Inputs = inputs;
        Outputs = outputs;
        Metadata = metadata;
        Description = description;
    }

    public IReadOnlyList<TensorSpec> Inputs { get; }
    public IReadOnlyList<TensorSpec> Outputs { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public string Description { get; }

    /// <summary>Index of the input named <paramref name="name"/>, or -1.</summary>
    public int InputIndex(string name)
    {
        for (var i = 0; i < Inputs.Count; i++)
            if (Inputs[i].Name == name) return i;
        return -1;
    }

    /// <summary>The signature of an ONNX model: graph inputs that are not initializers, graph outputs, float32 only.</summary>
    public static ModelSignature FromOnnx(ModelProto model)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = model.Graph.Input.Where(v => !initializers.Contains(v.Name)).Select(ToSpec).ToArray();
        var outputs = model.Graph.Output.Select(ToSpec).ToArray();
        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new ModelSignature(inputs, outputs, metadata, model.DocString);
    }

    private static TensorSpec ToSpec(ValueInfoProto value)
    {
        var tensorType = value.Type?.TensorType
            ?? throw new InvalidDataException($"graph value '{value.Name}' is not a tensor");
        if (tensorType.ElemType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"graph value '{value.Name}' has element type {tensorType.ElemType}; only FLOAT (1) is served");
        var dims = tensorType.Shape?.Dim ?? [];
        var shape = dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1L).ToArray();
        var names = dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : null).ToArray();
        return new TensorSpec(value.Name, "FP32", shape, names);
    }

    /// <summary>
    /// Checks tensors (in <see cref="Inputs"/> order) against the signature: ranks, fixed dimensions, and symbolic
    /// dimensions that share a name (e.g. <c>d</c> in query and values) agreeing. Returns a readable error, or null.
    /// <paramref name="labels"/> optionally names each input as the caller knows it, for the message.
    /// </summary>
    public string? Validate(IReadOnlyList<Tensor> inputs, IReadOnlyList<string>? labels = null)
    {
        if (inputs.Count != Inputs.Count)
            return $"the model takes {Inputs.Count} inputs ({string.Join(", ", Inputs.Select(i => i.Name))}), got {inputs.Count}";
        var bound = new Dictionary<string, (int Size, string Where)>(StringComparer.Ordinal);
        for (var i = 0; i < Inputs.Count; i++)
        {
            var spec = Inputs[i];
            var label = labels?[i] ?? spec.Name;
            var shape = inputs[i].Shape;
            if (shape.Length != spec.Rank)
                return $"{label} has rank {shape.Length}, expected {spec.Rank} {spec.ShapeText}";
            for (var axis = 0; axis < shape.Length; axis++)
            {
                var name = spec.DimNames[axis];
                var dimension = name ?? $"dimension {axis}";
                if (spec.Shape[axis] >= 0 && shape[axis] != spec.Shape[axis])
                    return $"{label} has {dimension} = {shape[axis]}, the model needs {spec.Shape[axis]} {spec.ShapeText}";
                if (name is null) continue;
                if (bound.TryGetValue(name, out var seen) && seen.Size != shape[axis])
                    return $"{label} has {name} = {shape[axis]} but {seen.Where} has {name} = {seen.Size}";
                bound.TryAdd(name, (shape[axis], label));
            }
        }
        return null;
    }
}

using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Core.Models;

/// <summary>What a model takes and returns, read from its ONNX graph, plus its metadata_props.</summary>
public sealed class ModelSignature
{
    /// <summary>
    /// Where each output dimension comes from: a fixed size, or the input dimension that carries the same symbolic
    /// name. Null when some output dimension is neither, so output shapes are only known after a run.
    /// </summary>
    private readonly OutputDimension[][]? _outputDimensions;

    public ModelSignature(IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs,
        IReadOnlyDictionary<string, string> metadata, string description)
    {
        Inputs = inputs;
        Outputs = outputs;
        Metadata = metadata;
        Description = description;
        _outputDimensions = OutputDimensionSources(inputs, outputs);
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

    /// <summary>
    /// Whether every output dimension is fixed or named on an input, so callers can size outputs before a run
    /// (<see cref="TryResolveOutputShape"/>).
    /// </summary>
    public bool CanResolveOutputShapes => _outputDimensions is not null;

    /// <summary>
    /// Writes the shape output <paramref name="output"/> will have for <paramref name="inputs"/> (in <see cref="Inputs"/>
    /// order, validated) into <paramref name="shape"/>, whose length must be the output's rank. Allocates nothing.
    /// Returns false when the signature cannot resolve output shapes or the inputs do not have the ranks it expects.
    /// </summary>
    public bool TryResolveOutputShape(int output, ReadOnlySpan<TensorView> inputs, Span<int> shape)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(output);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(output, Outputs.Count);
        if (shape.Length != Outputs[output].Rank)
            throw new ArgumentException(
                $"output '{Outputs[output].Name}' has rank {Outputs[output].Rank} {Outputs[output].ShapeText}, the shape span has length {shape.Length}", nameof(shape));
        if (_outputDimensions is null || inputs.Length != Inputs.Count) return false;
        var dimensions = _outputDimensions[output];
        for (var axis = 0; axis < dimensions.Length; axis++)
        {
            var source = dimensions[axis];
            if (source.Input < 0)
            {
                shape[axis] = source.Size;
                continue;
            }
            var inputShape = inputs[source.Input].Shape;
            if (source.Axis >= inputShape.Length) return false;
            shape[axis] = inputShape[source.Axis];
        }
        return true;
    }

    private static OutputDimension[][]? OutputDimensionSources(IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs)
    {
        var named = new Dictionary<string, OutputDimension>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
            for (var axis = 0; axis < inputs[i].Rank; axis++)
                if (inputs[i].DimNames[axis] is { } name)
                    named.TryAdd(name, new OutputDimension(-1, i, axis));
        var sources = new OutputDimension[outputs.Count][];
        for (var o = 0; o < outputs.Count; o++)
        {
            var spec = outputs[o];
            sources[o] = new OutputDimension[spec.Rank];
            for (var axis = 0; axis < spec.Rank; axis++)
            {
                if (spec.Shape[axis] is >= 0 and <= int.MaxValue) sources[o][axis] = new OutputDimension((int)spec.Shape[axis], -1, -1);
                else if (spec.DimNames[axis] is { } name && named.TryGetValue(name, out var source)) sources[o][axis] = source;
                else return null;
            }
        }
        return sources;
    }

    /// <summary>A fixed <see cref="Size"/> when <see cref="Input"/> is -1, else dimension <see cref="Axis"/> of that input.</summary>
    private readonly record struct OutputDimension(int Size, int Input, int Axis);

    /// <summary>The signature of an ONNX model: graph inputs that are not initializers, graph outputs, of float32, int64 or bool.</summary>
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
        var elementType = TensorElementTypes.FromOnnx(tensorType.ElemType)
            ?? throw new InvalidDataException(
                $"graph value '{value.Name}' has element type {(TensorProto.Types.DataType)tensorType.ElemType} ({tensorType.ElemType}); served types are FLOAT (1), INT64 (7) and BOOL (9)");
        var dims = tensorType.Shape?.Dim ?? [];
        var shape = dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1L).ToArray();
        var names = dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : null).ToArray();
        return new TensorSpec(value.Name, elementType, shape, names);
    }

    /// <summary>
    /// Checks tensors (in <see cref="Inputs"/> order) against the signature: ranks, fixed dimensions, and symbolic
    /// dimensions that share a name (e.g. <c>d</c> in query and values) agreeing. Returns a readable error, or null.
    /// <paramref name="labels"/> optionally names each input as the caller knows it, for the message.
    /// </summary>
    public string? Validate(ReadOnlySpan<TensorView> inputs, IReadOnlyList<string>? labels = null)
    {
        if (inputs.Length != Inputs.Count)
            return $"the model takes {Inputs.Count} inputs ({string.Join(", ", Inputs.Select(i => i.Name))}), got {inputs.Length}";
        for (var i = 0; i < Inputs.Count; i++)
        {
            var spec = Inputs[i];
            var label = labels?[i] ?? spec.Name;
            var shape = inputs[i].Shape;
            if (inputs[i].ElementType != spec.ElementType)
                return $"{label} holds {inputs[i].ElementType.ToWireName()}, the model takes {spec.Datatype}";
            if (shape.Length != spec.Rank)
                return $"{label} has rank {shape.Length}, expected {spec.Rank} {spec.ShapeText}";
            for (var axis = 0; axis < shape.Length; axis++)
            {
                var name = spec.DimNames[axis];
                var dimension = name ?? $"dimension {axis}";
                if (spec.Shape[axis] >= 0 && shape[axis] != spec.Shape[axis])
                    return $"{label} has {dimension} = {shape[axis]}, the model needs {spec.Shape[axis]} {spec.ShapeText}";
                if (name is null || FirstWithName(inputs, i, name) is not var (input, size) || size == shape[axis]) continue;
                return $"{label} has {name} = {shape[axis]} but {labels?[input] ?? Inputs[input].Name} has {name} = {size}";
            }
        }
        return null;
    }

    /// <summary>The first input before <paramref name="before"/> with a dimension named <paramref name="name"/>, and its size there.</summary>
    private (int Input, int Size)? FirstWithName(ReadOnlySpan<TensorView> inputs, int before, string name)
    {
        for (var i = 0; i < before; i++)
        {
            var names = Inputs[i].DimNames;
            for (var axis = 0; axis < names.Length; axis++)
                if (names[axis] == name) return (i, inputs[i].Shape[axis]);
        }
        return null;
    }
}

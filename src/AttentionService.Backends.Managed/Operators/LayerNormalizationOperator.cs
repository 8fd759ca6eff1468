using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX LayerNormalization (opset 17) over float32: normalizes X over its axes from <c>axis</c> (default -1) to the
/// last, by their mean and 1/√(variance + <c>epsilon</c>) (default 1e-5), then scales by Scale and shifts by the
/// optional B. The optional outputs Mean and InvStdDev have X's shape with the normalized axes set to 1. Scale and B
/// must hold one value per normalized element (shaped as the normalized axes, leading 1s allowed); broadcasting them
/// further is refused when the plan is made. Only <c>stash_type</c> = 1 (float32 statistics) is implemented.
/// </summary>
public sealed class LayerNormalizationOperator : Operator
{
    private readonly int _axis;
    private readonly float _epsilon;

    public LayerNormalizationOperator(NodeProto node) : base(node, 2, 3, 1, 3)
    {
        var attributes = NodeAttributes.Read(node, "axis", "epsilon", "stash_type");
        _axis = checked((int)attributes.Int("axis", -1));
        _epsilon = attributes.Float("epsilon", 1e-5f);
        var stashType = attributes.Int("stash_type", 1);
        if (stashType != 1)
            throw Unsupported($"has stash_type {stashType} ({(TensorProto.Types.DataType)stashType}); the managed kernel computes its statistics in FLOAT (stash_type 1)");
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var shape = inputs[0].RequiredShape;
        var axis = ResolveAxis(_axis, shape);
        var normalized = shape.AsSpan(axis);
        CheckPerElement("Scale", inputs[1].RequiredShape, normalized);
        if (inputs.Length > 2 && inputs[2].IsPresent) CheckPerElement("B", inputs[2].RequiredShape, normalized);
        outputs[0] = (int[])shape.Clone();
        var statistics = shape.Select((d, i) => i < axis ? d : 1).ToArray();
        for (var k = 1; k < outputs.Length; k++) outputs[k] = (int[])statistics.Clone();
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var x = inputs[0].As<float>();
        var y = outputs[0].As<float>();
        if (x.Length == 0) return;
        var axis = _axis < 0 ? _axis + x.Rank : _axis;
        var rows = Tensor.ElementCount(x.Shape.AsSpan(0, axis));
        var bias = inputs.Length > 2 && inputs[2].Shape is not null ? inputs[2].As<float>().Span : [];
        // Without the optional outputs the statistics still need a place: a row's two floats, on the stack when few.
        scoped Span<float> mean = outputs.Length > 1 ? outputs[1].As<float>().Span : [];
        scoped Span<float> inverse = outputs.Length > 2 ? outputs[2].As<float>().Span : [];
        float[]? rented = null;
        var missing = (mean.IsEmpty ? rows : 0) + (inverse.IsEmpty ? rows : 0);
        Span<float> scratch = missing == 0 ? []
            : missing <= 512 ? stackalloc float[missing]
            : (rented = TensorPool<float>.Shared.Rent(missing)).AsSpan(0, missing);
        if (mean.IsEmpty) mean = scratch[..rows];
        if (inverse.IsEmpty) inverse = scratch[^rows..];
        LayerNormalizationKernel.Normalize(x.Span, inputs[1].As<float>().Span, bias, _epsilon, y.Span, mean, inverse);
        if (rented is not null) TensorPool<float>.Shared.Return(rented);
    }

    /// <summary>Scale and B: as many elements as the normalized axes, laid out as they are.</summary>
    private void CheckPerElement(string name, int[] shape, ReadOnlySpan<int> normalized)
    {
        var leading = shape.Length - normalized.Length;
        var fits = leading >= 0
            ? shape.AsSpan(0, leading).IndexOfAnyExcept(1) < 0 && shape.AsSpan(leading).SequenceEqual(normalized)
            : normalized[..^shape.Length].IndexOfAnyExcept(1) < 0 && normalized[^shape.Length..].SequenceEqual(shape);
        if (!fits)
            throw ShapeError($"{name} has shape {ShapeText(shape)}; the managed kernel takes one value per normalized element, shape {ShapeText(normalized)}");
    }
}

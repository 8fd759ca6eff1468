using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Range over FLOAT or INT64 scalars: start, start + delta, … while short of limit, max(⌈(limit − start) / delta⌉, 0)
/// elements. All three inputs size the output, so they must be known when the plan is made.
/// </summary>
public sealed class RangeOperator : Operator
{
    public RangeOperator(NodeProto node) : base(node, 3, 3) => NodeAttributes.Read(node);

    public override bool NeedsValue(int input) => true;

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        RequireType(inputs, 0, TensorElementType.Float32, TensorElementType.Int64);
        if (inputs[1] != inputs[0] || inputs[2] != inputs[0])
            throw Unsupported($"has start, limit and delta of types {inputs[0]?.ToWireName()}, {inputs[1]?.ToWireName()}, {inputs[2]?.ToWireName()}; they must have one type");
        outputs[0] = inputs[0]!.Value;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        for (var i = 0; i < 3; i++)
            if (inputs[i].RequiredShape.Length > 1 || inputs[i].Value.Length != 1)
                throw ShapeError($"input {i} ('{Inputs[i]}') has shape {ShapeText(inputs[i].RequiredShape)}; start, limit and delta are scalars");
        outputs[0] = [Count(inputs[0].Value, inputs[1].Value, inputs[2].Value)];
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        if (inputs[0].ElementType == TensorElementType.Float32)
        {
            float start = inputs[0].As<float>().Span[0], delta = inputs[2].As<float>().Span[0];
            var destination = outputs[0].As<float>().Span;
            for (var i = 0; i < destination.Length; i++) destination[i] = start + i * delta;
        }
        else
        {
            long start = inputs[0].As<long>().Span[0], delta = inputs[2].As<long>().Span[0];
            var destination = outputs[0].As<long>().Span;
            for (var i = 0; i < destination.Length; i++) destination[i] = start + i * delta;
        }
    }

    private int Count(TensorView start, TensorView limit, TensorView delta)
    {
        double count;
        if (start.ElementType == TensorElementType.Float32)
        {
            float s = start.As<float>().Span[0], l = limit.As<float>().Span[0], d = delta.As<float>().Span[0];
            if (d == 0 || !float.IsFinite(s) || !float.IsFinite(l) || !float.IsFinite(d))
                throw ShapeError($"cannot count from {s} to {l} by {d}");
            // As ONNX Runtime counts: the difference in float, the division in double.
            count = Math.Ceiling((double)(l - s) / d);
        }
        else
        {
            long s = start.As<long>().Span[0], l = limit.As<long>().Span[0], d = delta.As<long>().Span[0];
            if (d == 0) throw ShapeError($"cannot count from {s} to {l} by 0");
            var span = (Int128)l - s;
            count = (double)(span > 0 == d > 0 && span != 0 ? (span + d - Math.Sign(d)) / d : 0);
        }
        if (count > int.MaxValue) throw ShapeError($"the range has {count} elements");
        return (int)Math.Max(count, 0);
    }
}

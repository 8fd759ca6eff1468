using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Shape (opset 15): the input's dimensions from <c>start</c> to <c>end</c> (negative from the end, clamped to
/// the rank) as an INT64 vector. It reads only the input's shape, so it runs once when the plan is made.
/// </summary>
public sealed class ShapeOperator : Operator
{
    private readonly long _start;
    private readonly long? _end;

    public ShapeOperator(NodeProto node) : base(node, 1, 1)
    {
        var attributes = NodeAttributes.Read(node, "start", "end");
        _start = attributes.Int("start", 0);
        _end = attributes.Has("end") ? attributes.RequiredInt("end") : null;
    }

    public override bool ReadsOnlyShape(int input) => true;

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs) => outputs[0] = TensorElementType.Int64;

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var (start, end) = Range(inputs[0].RequiredShape.Length);
        outputs[0] = [end - start];
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var shape = inputs[0].Shape;
        var (start, end) = Range(shape.Length);
        var destination = outputs[0].As<long>().Span;
        for (var i = start; i < end; i++) destination[i - start] = shape[i];
    }

    /// <summary>The dimensions taken, [start, end) within [0, rank]; empty when start passes end.</summary>
    private (int Start, int End) Range(int rank)
    {
        var start = (int)Math.Clamp(_start < 0 ? _start + rank : _start, 0, rank);
        var end = (int)Math.Clamp(_end is { } e ? (e < 0 ? e + rank : e) : rank, 0, rank);
        return (start, Math.Max(start, end));
    }
}

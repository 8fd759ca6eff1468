using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Split (opset 13+), of any element type: cuts the input along <c>axis</c> into one part per output, sized by
/// the optional INT64 <c>split</c> input (known when the plan is made), else by <c>num_outputs</c> (opset 18: parts of
/// ⌈dim / n⌉, the last one smaller), else into equal parts, which must divide the axis.
/// </summary>
public sealed class SplitOperator : Int64ArgumentsOperator
{
    private readonly long _axis;
    private readonly long? _numOutputs;

    public SplitOperator(NodeProto node) : base(node, 1, 2, 1, int.MaxValue)
    {
        var attributes = NodeAttributes.Read(node, "axis", "num_outputs");
        _axis = attributes.Int("axis", 0);
        if (attributes.Has("num_outputs"))
        {
            _numOutputs = attributes.RequiredInt("num_outputs");
            if (_numOutputs != Outputs.Count)
                throw Unsupported($"has num_outputs = {_numOutputs} but {Outputs.Count} outputs");
            if (Inputs.Count > 1 && Inputs[1].Length > 0)
                throw Unsupported("sets both the split input and num_outputs; ONNX allows one of them");
        }
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var shape = inputs[0].RequiredShape;
        var axis = Axis(shape.Length);
        var dim = shape[axis];
        var parts = outputs.Length;
        Span<long> sizes = parts <= 64 ? stackalloc long[parts] : new long[parts];
        if (inputs.Length > 1 && inputs[1].IsPresent)
        {
            var split = inputs[1].Value.As<long>().Span;
            if (inputs[1].RequiredShape.Length != 1 || split.Length != parts)
                throw ShapeError($"the split input has shape {ShapeText(inputs[1].RequiredShape)}, expected [{parts}] (one size per output)");
            long sum = 0;
            foreach (var size in split)
            {
                if (size < 0) throw ShapeError($"split ({string.Join(", ", split.ToArray())}) has a negative size");
                sum += size;
            }
            if (sum != dim)
                throw ShapeError($"split ({string.Join(", ", split.ToArray())}) sums to {sum}, axis {axis} of input {ShapeText(shape)} has {dim}");
            split.CopyTo(sizes);
        }
        else if (_numOutputs is not null)
        {
            // Opset 18: parts of ⌈dim / n⌉; the last takes what is left, which must not be negative.
            var chunk = (dim + parts - 1) / parts;
            sizes.Fill(chunk);
            sizes[^1] = dim - (long)chunk * (parts - 1);
            if (sizes[^1] < 0)
                throw ShapeError($"axis {axis} of input {ShapeText(shape)} cannot be cut into {parts} parts of {chunk} with a smaller last one");
        }
        else
        {
            if (dim % parts != 0)
                throw ShapeError($"axis {axis} of input {ShapeText(shape)} has {dim} entries, which {parts} outputs cannot share equally; give the split input");
            sizes.Fill(dim / parts);
        }
        for (var k = 0; k < parts; k++)
        {
            var part = (int[])shape.Clone();
            part[axis] = (int)sizes[k];
            outputs[k] = part;
        }
    }

    /// <summary>Each output's share of the axis is its own planned shape, so the split input is not read again.</summary>
    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var x = inputs[0];
        var axis = Axis(x.Rank);
        int outer = 1, inner = 1;
        for (var a = 0; a < axis; a++) outer *= x.Shape[a];
        for (var a = axis + 1; a < x.Rank; a++) inner *= x.Shape[a];
        var sourceBlock = x.Shape[axis] * inner;
        var offset = 0;
        foreach (var output in outputs)
        {
            var block = output.Shape[axis] * inner;
            switch (x.ElementType)
            {
                case TensorElementType.Float32: AxisBlockKernel.Extract<float>(x.As<float>().Span, outer, sourceBlock, offset, output.As<float>().Span, block); break;
                case TensorElementType.Int64: AxisBlockKernel.Extract<long>(x.As<long>().Span, outer, sourceBlock, offset, output.As<long>().Span, block); break;
                default: AxisBlockKernel.Extract<bool>(x.As<bool>().Span, outer, sourceBlock, offset, output.As<bool>().Span, block); break;
            }
            offset += block;
        }
    }

    private int Axis(int rank)
    {
        if (_axis < -rank || _axis >= rank)
            throw ShapeError(rank == 0 ? "cannot split a scalar" : $"axis {_axis} is outside [{-rank}, {rank - 1}] for input of rank {rank}");
        return (int)(_axis < 0 ? _axis + rank : _axis);
    }
}

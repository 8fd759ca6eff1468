using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// A Softmax over the last axis whose input was <c>Where(Greater(mask, threshold), x·scale, fill)</c>, folded at load
/// into one pass (see <see cref="MaskedSoftmaxKernel"/>); the scale (a folded Mul by a scalar constant, or by a value
/// known before the run such as 1/√d computed from the input's shape, then read as a third input) is optional.
/// Reads x and the float mask; a mask unsqueezed after the comparison (broadcast over heads) is read under the
/// unsqueezed shape.
/// When the condition would widen x by broadcasting, the folded nodes run one after another as written instead.
/// </summary>
public sealed class MaskedSoftmaxOperator : Operator
{
    private readonly float _threshold;
    private readonly float _fill;
    private readonly long[]? _maskAxes;
    private readonly TensorView<long> _maskAxesTensor;
    private readonly Operator[] _unfused;
    private readonly TensorView<float> _scaleTensor;
    private readonly TensorView<float> _thresholdTensor;
    private readonly TensorView<float> _fillTensor;

    /// <param name="softmax">The Softmax node, whose output this operator writes.</param>
    /// <param name="x">The scores before scaling.</param>
    /// <param name="mask">The Greater's left input, a float mask.</param>
    /// <param name="scale">The Mul's scalar constant (1 without one).</param>
    /// <param name="threshold">The Greater's scalar constant.</param>
    /// <param name="fill">The Where's scalar constant for positions that do not attend.</param>
    /// <param name="unfused">The folded operators in graph order (Greater, Unsqueeze?, Mul?, Where, Softmax), for the broadcasting fallback.</param>
    /// <param name="scaleInput">The Mul's other operand when it is not a constant but known before the run (one element when fused).</param>
    /// <param name="maskAxes">The constant axes of an Unsqueeze between the Greater and the Where, if there was one.</param>
    public MaskedSoftmaxOperator(NodeProto softmax, string x, string mask, float scale, float threshold, float fill, IReadOnlyList<Operator> unfused,
        long[]? maskAxes = null, string? scaleInput = null)
        : base(softmax, scaleInput is null ? [x, mask] : [x, mask, scaleInput], [softmax.Output[0]])
    {
        _maskAxes = maskAxes;
        _maskAxesTensor = maskAxes is null ? default : new TensorView<long>(maskAxes, maskAxes.Length, [maskAxes.Length]);
        _threshold = threshold;
        _fill = fill;
        _unfused = [.. unfused];
        // Views of arrays this operator owns for its life (never pooled, never disposed).
        _scaleTensor = new TensorView<float>([scale], 1, []);
        _thresholdTensor = new TensorView<float>([threshold], 1, []);
        _fillTensor = new TensorView<float>([fill], 1, []);
    }

    /// <summary>The node names folded into this one, in graph order, ending with the Softmax.</summary>
    public IEnumerable<string> FoldedNodes => _unfused.Select(op => op.NodeName);

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        int[] x = inputs[0].RequiredShape, mask = inputs[1].RequiredShape;
        var scaleShape = inputs.Length > 2 ? inputs[2].RequiredShape : [];
        Span<int> maskShape = stackalloc int[mask.Length + (_maskAxes?.Length ?? 0)];
        if (MaskShape(mask, maskShape) && Fuses(x, maskShape) && Tensor.ElementCount(scaleShape) == 1)
        {
            outputs[0] = (int[])x.Clone();
            return;
        }
        // The unfused chain's shapes, node by node, so a shape error names the node that cannot take it.
        var next = 0;
        var attend = Shape(_unfused[next++], new PlanInput(mask, default), new PlanInput([], default));
        if (_maskAxes is not null) attend = Shape(_unfused[next++], new PlanInput(attend, default), new PlanInput([_maskAxes.Length], _maskAxesTensor));
        var scaled = _unfused[next] is ArithmeticOperator<Arithmetic.Multiply> ? Shape(_unfused[next++], new PlanInput(x, default), new PlanInput(scaleShape, default)) : x;
        var masked = Shape(_unfused[next++], new PlanInput(attend, default), new PlanInput(scaled, default), new PlanInput([], default));
        outputs[0] = Shape(_unfused[next], new PlanInput(masked, default));
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        TensorView<float> x = inputs[0].As<float>(), mask = inputs[1].As<float>(), destination = outputs[0].As<float>();
        var scale = inputs.Length > 2 ? inputs[2].As<float>() : _scaleTensor;
        if (_maskAxes is null)
        {
            // The common case reads the mask under its own shape, with no shape to build.
            if (Fuses(x.Shape, mask.Shape) && scale.Length == 1)
                MaskedSoftmaxKernel.Above(x.Span, x.Shape, mask.Span, mask.Shape, _threshold, scale.Span[0], _fill, destination.Span);
            else
                RunUnfused(x, mask, scale, destination);
            return;
        }
        Span<int> maskShape = stackalloc int[mask.Rank + _maskAxes.Length];
        if (!MaskShape(mask.Shape, maskShape) || !Fuses(x.Shape, maskShape) || scale.Length != 1)
            RunUnfused(x, mask, scale, destination);
        else
            MaskedSoftmaxKernel.Above(x.Span, x.Shape, mask.Span, maskShape, _threshold, scale.Span[0], _fill, destination.Span);
    }

    /// <summary>The mask's shape after the folded Unsqueeze (if any); false when the axes do not fit its rank.</summary>
    private bool MaskShape(ReadOnlySpan<int> mask, Span<int> shape)
    {
        if (_maskAxes is null)
        {
            mask.CopyTo(shape);
            return true;
        }
        var rank = shape.Length;
        shape.Fill(-1);
        foreach (var a in _maskAxes)
        {
            var axis = a < 0 ? a + rank : a;
            if (axis < 0 || axis >= rank || shape[(int)axis] == 1) return false;
            shape[(int)axis] = 1;
        }
        for (int i = 0, source = 0; i < rank; i++)
            if (shape[i] == -1) shape[i] = mask[source++];
        return true;
    }

    private static int[] Shape(Operator op, params PlanInput[] inputs)
    {
        var shapes = new int[1][];
        op.InferShapes(inputs, shapes);
        return shapes[0];
    }

    private static bool Fuses(ReadOnlySpan<int> x, ReadOnlySpan<int> condition) => x.Length > 0 && BroadcastsInto(condition, x);

    private static bool BroadcastsInto(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        if (shape.Length > target.Length) return false;
        for (var i = 1; i <= shape.Length; i++)
            if (shape[^i] != target[^i] && shape[^i] != 1) return false;
        return true;
    }

    /// <summary>The folded nodes one after another; their intermediates are rented per call (this shape is rare).</summary>
    private void RunUnfused(TensorView<float> x, TensorView<float> mask, TensorView<float> scale, TensorView<float> destination)
    {
        var next = 0;
        Tensor<bool>? compared = null, attend = null;
        Tensor<float>? scaled = null, masked = null;
        try
        {
            attend = compared = Apply<bool>(_unfused[next++], mask, _thresholdTensor);
            if (_maskAxes is not null) attend = Apply<bool>(_unfused[next++], compared, _maskAxesTensor);
            if (_unfused[next] is ArithmeticOperator<Arithmetic.Multiply>) scaled = Apply<float>(_unfused[next++], x, scale);
            masked = Apply<float>(_unfused[next++], attend, scaled?.View ?? x, _fillTensor);
            _unfused[next].Run([masked.View], [destination]);
        }
        finally
        {
            compared?.Dispose();
            attend?.Dispose();
            scaled?.Dispose();
            masked?.Dispose();
        }
    }

    private static Tensor<T> Apply<T>(Operator op, params TensorView[] inputs) where T : unmanaged
    {
        var output = Tensor.Rent<T>(Shape(op, inputs.Select(i => new PlanInput(i.Shape, i)).ToArray()));
        try
        {
            op.Run(inputs, [output]);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }
}

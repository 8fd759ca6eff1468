using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// A Softmax over the last axis whose input was <c>Where(Greater(mask, threshold), x·scale, fill)</c>, folded at load
/// into one pass (see <see cref="MaskedSoftmaxKernel"/>); the scale (a folded Mul by a scalar constant) is optional.
/// Reads x and the float mask.
/// When the condition would widen x by broadcasting, the folded nodes run one after another as written instead.
/// </summary>
public sealed class MaskedSoftmaxOperator : Operator
{
    private readonly float _scale;
    private readonly float _threshold;
    private readonly float _fill;
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
    /// <param name="unfused">The folded operators in graph order (Greater, Mul?, Where, Softmax), for the broadcasting fallback.</param>
    public MaskedSoftmaxOperator(NodeProto softmax, string x, string mask, float scale, float threshold, float fill, IReadOnlyList<Operator> unfused)
        : base(softmax, [x, mask], [softmax.Output[0]])
    {
        _scale = scale;
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
        if (Fuses(x, mask))
        {
            outputs[0] = (int[])x.Clone();
            return;
        }
        // The unfused chain's shapes, node by node, so a shape error names the node that cannot take it.
        var next = 0;
        var attend = Shape(_unfused[next++], new PlanInput(mask, default), new PlanInput([], default));
        var scaled = _unfused[next] is MulOperator ? Shape(_unfused[next++], new PlanInput(x, default), new PlanInput([], default)) : x;
        var masked = Shape(_unfused[next++], new PlanInput(attend, default), new PlanInput(scaled, default), new PlanInput([], default));
        outputs[0] = Shape(_unfused[next], new PlanInput(masked, default));
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        TensorView<float> x = inputs[0].As<float>(), mask = inputs[1].As<float>(), destination = outputs[0].As<float>();
        if (!Fuses(x.Shape, mask.Shape))
            RunUnfused(x, mask, destination);
        else
            MaskedSoftmaxKernel.Above(x.Span, x.Shape, mask.Span, mask.Shape, _threshold, _scale, _fill, destination.Span);
    }

    private static int[] Shape(Operator op, params PlanInput[] inputs)
    {
        var shapes = new int[1][];
        op.InferShapes(inputs, shapes);
        return shapes[0];
    }

    private static bool Fuses(int[] x, int[] condition) => x.Length > 0 && BroadcastsInto(condition, x);

    private static bool BroadcastsInto(int[] shape, int[] target)
    {
        if (shape.Length > target.Length) return false;
        for (var i = 1; i <= shape.Length; i++)
            if (shape[^i] != target[^i] && shape[^i] != 1) return false;
        return true;
    }

    /// <summary>The folded nodes one after another; their intermediates are rented per call (this shape is rare).</summary>
    private void RunUnfused(TensorView<float> x, TensorView<float> mask, TensorView<float> destination)
    {
        var next = 0;
        Tensor<bool>? attend = null;
        Tensor<float>? scaled = null, masked = null;
        try
        {
            attend = Apply<bool>(_unfused[next++], mask, _thresholdTensor);
            if (_unfused[next] is MulOperator) scaled = Apply<float>(_unfused[next++], x, _scaleTensor);
            masked = Apply<float>(_unfused[next++], attend, scaled?.View ?? x, _fillTensor);
            _unfused[next].Run([masked.View], [destination]);
        }
        finally
        {
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

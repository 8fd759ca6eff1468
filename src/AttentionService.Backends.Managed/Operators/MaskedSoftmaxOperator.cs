using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// A Softmax over the last axis whose input was <c>Where(condition, x·scale, fill)</c>, folded at load into one pass
/// (see <see cref="MaskedSoftmaxKernel"/>); the scale (a folded Mul by a scalar constant) and a folded
/// <c>Greater(mask, threshold)</c> producing the condition are optional. Reads x and the condition (or mask).
/// When the condition would widen x by broadcasting, the folded nodes run one after another as written instead.
/// </summary>
public sealed class MaskedSoftmaxOperator : Operator
{
    private readonly float _scale;
    private readonly float? _threshold;
    private readonly float _fill;
    private readonly Operator[] _unfused;
    private readonly TensorView<float> _scaleTensor;
    private readonly TensorView<float> _thresholdTensor;
    private readonly TensorView<float> _fillTensor;

    /// <param name="softmax">The Softmax node, whose output this operator writes.</param>
    /// <param name="x">The scores before scaling.</param>
    /// <param name="condition">The Where condition, or the Greater's left input when <paramref name="threshold"/> is set.</param>
    /// <param name="scale">The Mul's scalar constant (1 without one).</param>
    /// <param name="threshold">The Greater's scalar constant, when a Greater was folded.</param>
    /// <param name="fill">The Where's scalar constant for positions that do not attend.</param>
    /// <param name="unfused">The folded operators in graph order (Greater?, Mul?, Where, Softmax), for the broadcasting fallback.</param>
    public MaskedSoftmaxOperator(NodeProto softmax, string x, string condition, float scale, float? threshold, float fill, IReadOnlyList<Operator> unfused)
        : base(softmax, [x, condition])
    {
        _scale = scale;
        _threshold = threshold;
        _fill = fill;
        _unfused = [.. unfused];
        // Views of arrays this operator owns for its life (never pooled, never disposed).
        _scaleTensor = new TensorView<float>([scale], 1, []);
        _thresholdTensor = new TensorView<float>([threshold ?? 0f], 1, []);
        _fillTensor = new TensorView<float>([fill], 1, []);
    }

    /// <summary>The node names folded into this one, in graph order, ending with the Softmax.</summary>
    public IEnumerable<string> FoldedNodes => _unfused.Select(op => op.NodeName);

    public override int[] OutputShape(ReadOnlySpan<int[]> inputShapes)
    {
        int[] x = inputShapes[0], condition = inputShapes[1];
        if (Fuses(x, condition)) return (int[])x.Clone();
        // The unfused chain's shapes, node by node, so a shape error names the node that cannot take it.
        var next = 0;
        var attend = _threshold is not null ? _unfused[next++].OutputShape([condition, []]) : condition;
        var scaled = _unfused[next] is MulOperator ? _unfused[next++].OutputShape([x, []]) : x;
        var masked = _unfused[next++].OutputShape([attend, scaled, []]);
        return _unfused[next].OutputShape([masked]);
    }

    public override void RunInto(ReadOnlySpan<TensorView<float>> inputs, TensorView<float> destination)
    {
        TensorView<float> x = inputs[0], condition = inputs[1];
        if (!Fuses(x.Shape, condition.Shape))
            RunUnfused(x, condition, destination);
        else if (_threshold is { } threshold)
            MaskedSoftmaxKernel.Above(x.Span, x.Shape, condition.Span, condition.Shape, threshold, _scale, _fill, destination.Span);
        else
            MaskedSoftmaxKernel.NonZero(x.Span, x.Shape, condition.Span, condition.Shape, _scale, _fill, destination.Span);
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
    private void RunUnfused(TensorView<float> x, TensorView<float> condition, TensorView<float> destination)
    {
        var next = 0;
        Tensor<float>? attend = null, scaled = null, masked = null;
        try
        {
            if (_threshold is not null) attend = _unfused[next++].Run([condition, _thresholdTensor]);
            if (_unfused[next] is MulOperator) scaled = _unfused[next++].Run([x, _scaleTensor]);
            masked = _unfused[next++].Run([attend?.View ?? condition, scaled?.View ?? x, _fillTensor]);
            _unfused[next].RunInto([masked], destination);
        }
        finally
        {
            attend?.Dispose();
            scaled?.Dispose();
            masked?.Dispose();
        }
    }
}

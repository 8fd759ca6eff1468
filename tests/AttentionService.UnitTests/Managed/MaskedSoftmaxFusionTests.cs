using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Managed;

/// <summary>
/// Plan-compile folding of Greater → Mul → Where → Softmax into one step: when it applies, when it must not (a folded
/// value is also a graph output, or the softmax is over another axis), and the same numbers either way, including the
/// broadcast the fast kernel cannot take.
/// </summary>
public class MaskedSoftmaxFusionTests
{
    private const double Tolerance = 1e-6;

    [Fact]
    public void ChainIsOneStepWithTheReferenceNumbers()
    {
        using var backend = ManagedModels.Load(ManagedModels.ToModel(Graph(exposeMasked: false, axis: -1, xDims: [2, 3, 5])));
        Assert.Equal(1, backend.StepCount);
        AssertRunMatchesReference(backend, [2, 3, 5], [2, 3, 5]);
    }

    [Fact]
    public void MaskedScoresThatAreAGraphOutputAreNotFolded()
    {
        using var backend = ManagedModels.Load(ManagedModels.ToModel(Graph(exposeMasked: true, axis: -1, xDims: [2, 3, 5])));
        Assert.Equal(4, backend.StepCount);
        AssertRunMatchesReference(backend, [2, 3, 5], [2, 3, 5]);
    }

    [Fact]
    public void SoftmaxOverAnotherAxisIsNotFolded()
    {
        using var backend = ManagedModels.Load(ManagedModels.ToModel(Graph(exposeMasked: false, axis: 1, xDims: [2, 3, 5])));
        Assert.Equal(4, backend.StepCount);
    }

    [Fact]
    public void ConditionWiderThanScoresRunsTheFoldedNodesInTurn()
    {
        using var backend = ManagedModels.Load(ManagedModels.ToModel(Graph(exposeMasked: false, axis: -1, xDims: [1, 1, 5])));
        Assert.Equal(1, backend.StepCount);
        AssertRunMatchesReference(backend, [1, 1, 5], [2, 3, 5]);
    }

    [Fact]
    public void WhereOnABoolInputWithoutGreaterIsNotFoldedAndGivesTheReferenceNumbers()
    {
        // Only Greater(float mask, scalar) conditions fold; a caller's BOOL mask runs Mul, Where, Softmax as written.
        var g = new GraphBuilder("bool-mask");
        g.Input("x", 1, 2, 3);
        g.Input("attend", TensorProto.Types.DataType.Bool, 1, 2, 3);
        var scale = g.Initializer("scale", [0.5f], 1);
        var fill = g.Initializer("fill", [float.NegativeInfinity]);
        var scaled = g.Node("Mul", ["x", scale], "scaled");
        var masked = g.Node("Where", ["attend", scaled, fill], "masked");
        g.Node("Softmax", [masked], "weights", GraphBuilder.Attribute("axis", -1L));
        g.Output("weights", 1, 2, 3);

        using var backend = ManagedModels.Load(ManagedModels.ToModel(g));
        Assert.Equal(3, backend.StepCount);
        using var x = Tensor.Wrap([1f, 2f, 3f, 4f, 5f, 6f], 1, 2, 3);
        using var attend = Tensor.Wrap([true, false, true, false, true, true], 1, 2, 3);
        using var outputs = backend.RunRented([x, attend], CancellationToken.None);
        var expected = ScalarReference.Softmax([0.5f, float.NegativeInfinity, 1.5f, float.NegativeInfinity, 2.5f, 3f], 2, 3, 1);
        Assert.Equal(0f, outputs.Float(0).Span[1]);
        Assert.Equal(0f, outputs.Float(0).Span[3]);
        Numerics.AssertClose(expected, outputs.Float(0).Span, Tolerance, "weights");
    }

    /// <summary>weights = softmax(where(mask &gt; 0.5, x · 0.5, -inf), axis); with <paramref name="exposeMasked"/> the Where output is a graph output too.</summary>
    private static GraphBuilder Graph(bool exposeMasked, long axis, int[] xDims)
    {
        var g = new GraphBuilder("masked-softmax");
        g.Input("x", xDims.Cast<object>().ToArray());
        g.Input("mask", 2, 3, 5);
        var scale = g.Initializer("scale", [0.5f], 1);
        var threshold = g.Initializer("threshold", [0.5f]);
        var fill = g.Initializer("fill", [float.NegativeInfinity]);
        var attend = g.Node("Greater", ["mask", threshold], "attend");
        var scaled = g.Node("Mul", ["x", scale], "scaled");
        var masked = g.Node("Where", [attend, scaled, fill], "masked");
        g.Node("Softmax", [masked], "weights", GraphBuilder.Attribute("axis", axis));
        g.Output("weights", 2, 3, 5);
        if (exposeMasked) g.Output("masked", 2, 3, 5);
        return g;
    }

    private static void AssertRunMatchesReference(Backends.Managed.ManagedBackend backend, int[] xShape, int[] maskShape)
    {
        var xData = ScalarReference.Random(31, ScalarReference.Count(xShape), -4f, 4f);
        var maskData = ScalarReference.Random(32, ScalarReference.Count(maskShape), 0f, 1f);
        for (var i = 0; i < maskData.Length; i += 5) maskData[i] = 1f;
        using var x = Tensor.Wrap(xData, xShape);
        using var mask = Tensor.Wrap(maskData, maskShape);
        using var outputs = backend.RunRented([x, mask], CancellationToken.None);
        var masked = new float[maskData.Length];
        for (var flat = 0; flat < masked.Length; flat++)
        {
            var value = xData[ScalarReference.BroadcastSource(ScalarReference.Unravel(flat, maskShape), xShape)] * 0.5f;
            masked[flat] = maskData[flat] > 0.5f ? value : float.NegativeInfinity;
        }
        var expected = ScalarReference.Softmax(masked, masked.Length / 5, 5, 1);
        var weights = outputs.Float(0);
        Assert.Equal(maskShape, weights.Shape);
        for (var i = 0; i < expected.Length; i++)
            if (float.IsNegativeInfinity(masked[i])) Assert.Equal(0f, weights.Span[i]);
        Numerics.AssertClose(expected, weights.Span, Tolerance, "weights");
    }
}

using AttentionService.Tests.Support;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;

namespace AttentionService.Tests.DestinationRuns;

/// <summary>
/// <see cref="ModelSignature.TryResolveOutputShape"/>: every output dimension is fixed or named on an input, so a
/// caller sizes outputs before running; the shapes it gives are the shapes a run produces.
/// </summary>
public class OutputShapeResolutionTests
{
    public static TheoryData<string> Models => new(DestinationBackends.BundledModels);

    [Theory]
    [MemberData(nameof(Models))]
    public void ResolvedShapesAreTheShapesTheBackendsProduce(string name)
    {
        var model = DestinationBackends.Model(name);
        Assert.True(model.Signature.CanResolveOutputShapes);
        var inputs = ModelInputs.Create(model.Signature, batch: 3, tq: 5, tv: 7, d: 64, seed: 1);
        try
        {
            var shapes = ModelInputs.ResolveShapes(model.Signature, inputs);
            foreach (var kind in new[] { BackendKind.Managed, BackendKind.Onnx })
            {
                using var backend = DestinationBackends.Create(kind, model);
                using var outputs = backend.RunRented(inputs.Views(), CancellationToken.None);
                Assert.Equal(shapes, Enumerable.Range(0, outputs.Count).Select(o => outputs[o].Shape));
            }
        }
        finally
        {
            ModelInputs.DisposeAll(inputs);
        }
    }

    [Fact]
    public void MultiheadWeightsTakeTheFixedHeadCountAndTheSequenceLengthsOfTheInputs()
    {
        var signature = DestinationBackends.Model("multihead").Signature;
        var inputs = ModelInputs.Create(signature, batch: 2, tq: 3, tv: 9, d: 64, seed: 2);
        Span<int> weights = stackalloc int[4];
        Span<int> context = stackalloc int[3];

        Assert.True(signature.TryResolveOutputShape(signature.Outputs.ToList().FindIndex(o => o.Name == "weights"), inputs.Views(), weights));
        Assert.True(signature.TryResolveOutputShape(signature.Outputs.ToList().FindIndex(o => o.Name == "context"), inputs.Views(), context));

        Assert.Equal([2, 4, 3, 9], weights.ToArray());
        Assert.Equal([2, 3, 64], context.ToArray());
        ModelInputs.DisposeAll(inputs);
    }

    [Fact]
    public void ResolvingAllocatesNothing()
    {
        var signature = DestinationBackends.Model("luong-dot").Signature;
        var inputs = ModelInputs.Create(signature, batch: 1, tq: 1, tv: 32, d: 64, seed: 3);
        var views = inputs.Views();
        Span<int> shape = stackalloc int[3];
        signature.TryResolveOutputShape(0, views, shape);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) signature.TryResolveOutputShape(i % 2, views, shape);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        ModelInputs.DisposeAll(inputs);
    }

    [Fact]
    public void SpanOfTheWrongRankIsRejectedNamingTheOutput()
    {
        var signature = DestinationBackends.Model("luong-dot").Signature;
        var inputs = ModelInputs.Create(signature, batch: 1, tq: 1, tv: 4, d: 8, seed: 4);

        var error = Assert.Throws<ArgumentException>(() => signature.TryResolveOutputShape(0, inputs.Views(), new int[2]));

        Assert.StartsWith("output 'context' has rank 3 [batch, tq, dv], the shape span has length 2", error.Message);
        ModelInputs.DisposeAll(inputs);
    }

    [Fact]
    public void OutputDimensionNamedOnNoInputCannotBeResolvedButTheDestinationRunStillWorks()
    {
        // y = xᵀ declared [4, m]: nothing tells the caller m before the run.
        var g = new GraphBuilder("unresolvable");
        var x = g.Input("x", "n", 4);
        g.Node("Transpose", [x], "y", GraphBuilder.Attribute("perm", 1L, 0L));
        g.Output("y", 4, "m");
        var model = ModelSource.FromProto("unresolvable", g.ToModel(OnnxVersions.Opset, "test graph", []));
        using var input = Tensor.Wrap(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 3, 4);

        Assert.False(model.Signature.CanResolveOutputShapes);
        Assert.False(model.Signature.TryResolveOutputShape(0, [input], new int[2]));
        foreach (var kind in new[] { BackendKind.Managed, BackendKind.Onnx })
        {
            using var backend = DestinationBackends.Create(kind, model);
            using var output = Tensor.Rent<float>(4, 3);
            backend.Run([input], [output], CancellationToken.None);
            Assert.Equal([0f, 4f, 8f, 1f, 5f, 9f, 2f, 6f, 10f, 3f, 7f, 11f], output.Span.ToArray());

            using var wrong = Tensor.Rent<float>(3, 4);
            var error = Assert.Throws<ArgumentException>(() => backend.Run([input], [wrong], CancellationToken.None));
            Assert.StartsWith("output 'y' (index 0) is a tensor of shape [3, 4], the run produces [4, 3]", error.Message);
        }
    }
}

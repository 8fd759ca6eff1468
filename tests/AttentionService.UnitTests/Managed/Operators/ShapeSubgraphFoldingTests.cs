using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>
/// The shape arithmetic exporters write around a Reshape (torch's <c>x.view(x.size(0), -1, 4)</c>) runs once per
/// input shape, when the plan is made: a run executes only the Reshape, and a new shape re-plans.
/// </summary>
public class ShapeSubgraphFoldingTests
{
    [Fact]
    public void ShapeGatherUnsqueezeConcatFoldsIntoTheReshape()
    {
        var model = ExporterStyleReshape();
        using var backend = ManagedModels.Load(model);
        Assert.Equal(1, backend.StepCount);
        foreach (var shape in new[] { new[] { 2, 3, 8 }, [5, 7, 8], [2, 3, 8] })
        {
            var x = Iota(shape);
            var expected = RunOnnxRuntime(model, x);
            Assert.Equal([shape[0], shape[1] * 2, 4], expected[0].Shape);
            AssertMatches(backend, [x], expected);
        }
    }

    /// <summary>y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0), [0]), [-1, 4])).</summary>
    private static Onnx.Protos.ModelProto ExporterStyleReshape()
    {
        var graph = new GraphBuilder("exporter-reshape");
        graph.Input("x", "batch", "t", 8);
        graph.Initializer("zero", [0L]);
        graph.Initializer("axes", [0L], 1);
        graph.Initializer("rest", [-1L, 4L], 2);
        graph.Node("Shape", ["x"], "shape");
        graph.Node("Gather", ["shape", "zero"], "batch", GraphBuilder.Attribute("axis", 0L));
        graph.Node("Unsqueeze", ["batch", "axes"], "batch_1d");
        graph.Node("Concat", ["batch_1d", "rest"], "target", GraphBuilder.Attribute("axis", 0L));
        graph.Node("Reshape", ["x", "target"], "y");
        graph.Output("y", DataType.Float, "batch", "t2", 4);
        return graph.ToModel(OnnxVersions.Opset, "exporter-style reshape", []);
    }
}

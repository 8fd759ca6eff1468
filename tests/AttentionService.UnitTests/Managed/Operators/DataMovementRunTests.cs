using AttentionService.Backends.Managed;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>
/// The data-movement ops on a decoder step's per-request path (an embedding Gather, Concat with a context, Slice,
/// Split, a bias expanded to a computed shape, Transpose, Tile, Trilu) in one graph: the same numbers as ONNX
/// Runtime, only the float steps run per request, and a warmed-up run into the same outputs allocates nothing.
/// </summary>
public class DataMovementRunTests
{
    [Fact]
    public void DecoderStepGraphAgreesWithOnnxRuntime()
    {
        var model = DecoderStep();
        using var backend = ManagedModels.Load(model);
        // Shape, and the Expand of the constant bias to it, fold; Gather, Concat, Slice, Split, Add, Transpose, Tile, Trilu run.
        Assert.Equal(8, backend.StepCount);
        foreach (var (batch, t) in new[] { (2, 3), (1, 1) })
        {
            var inputs = Inputs(batch, t);
            AssertMatches(backend, inputs, RunOnnxRuntime(model, inputs));
        }
    }

    [Fact]
    public void WarmedUpRunIntoTheSameOutputsAllocatesNothing()
    {
        using var backend = ManagedModels.Load(DecoderStep());
        var inputs = Inputs(2, 5);
        using var outputs = new RentedOutputs(backend.Signature.Outputs.Count);
        for (var i = 0; i < 20; i++) backend.Run(inputs, outputs, CancellationToken.None);
        var least = long.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 10; i++) backend.Run(inputs, outputs, CancellationToken.None);
            least = Math.Min(least, (GC.GetAllocatedBytesForCurrentThread() - before) / 10);
        }
        Assert.Equal(0, least);
    }

    private static TensorView[] Inputs(int batch, int t)
    {
        var tokens = new long[batch * t];
        for (var i = 0; i < tokens.Length; i++) tokens[i] = (i * 7 % 12) - 2;
        var context = ScalarReference.Random(5, batch * t * 4);
        return [Int64s(tokens, batch, t), Floats(context, batch, t, 4)];
    }

    private static Onnx.Protos.ModelProto DecoderStep()
    {
        var graph = new GraphBuilder("decoder-step");
        graph.Input("tokens", DataType.Int64, "batch", "t");
        graph.Input("context", "batch", "t", 4);
        graph.Initializer("table", ScalarReference.Random(6, 10 * 6), 10, 6);
        graph.Initializer("bias", [0.5f, -1f, 2f, 0.25f], 1, 1, 4);
        graph.Initializer("starts", [1L], 1);
        graph.Initializer("ends", [9L], 1);
        graph.Initializer("axes", [2L], 1);
        graph.Initializer("steps", [2L], 1);
        graph.Initializer("split", [4L, 6L], 2);
        graph.Initializer("repeats", [1L, 2L, 1L], 3);
        graph.Node("Gather", ["table", "tokens"], "embedded");
        graph.Node("Concat", ["embedded", "context"], "joined", GraphBuilder.Attribute("axis", 2L));
        graph.Node("Slice", ["joined", "starts", "ends", "axes", "steps"], "every_other");
        graph.Node("Split", ["joined", "split"], ["head", "tail"], GraphBuilder.Attribute("axis", -1L));
        graph.Node("Shape", ["every_other"], "shape");
        graph.Node("Expand", ["bias", "shape"], "bias_expanded");
        graph.Node("Add", ["head", "bias_expanded"], "biased");
        graph.Node("Transpose", ["every_other"], "transposed", GraphBuilder.Attribute("perm", 0L, 2L, 1L));
        graph.Node("Tile", ["tail", "repeats"], "tiled");
        graph.Node("Trilu", ["tiled"], "upper");
        graph.Output("biased", "batch", "t", 4);
        graph.Output("transposed", "batch", 4, "t");
        graph.Output("upper", DataType.Float, "batch", "t2", 6);
        return graph.ToModel(OnnxVersions.Opset, "decoder step", []);
    }
}

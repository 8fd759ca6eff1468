using AttentionService.ModelBuilder.Graphs;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.ModelBuilder.Models;

/// <summary>
/// Scaled dot-product attention (Vaswani et al.): <c>weights = softmax(q kᵀ / √d)</c>, <c>context = weights v</c>.
/// The scale is a constant, so d is fixed at 64 (scale 1/8): our op set has no Shape to read a symbolic d.
/// </summary>
public static class ScaledDot
{
    public const string Name = "scaled-dot";

    public const int D = AttentionGraph.ModelDim;

    public static ModelProto Build()
    {
        var g = new GraphBuilder(Name);
        AttentionGraph.Inputs(g, D, D, "dv");
        var scale = g.Initializer("scale", [(float)(1 / Math.Sqrt(D))]);
        var keysT = AttentionGraph.TransposeLastTwo(g, AttentionGraph.Keys, "keys_t");
        var dots = g.Node("MatMul", [AttentionGraph.Query, keysT], "dots");
        var scores = g.Node("Mul", [dots, scale], "scores");
        var weights = AttentionGraph.MaskedSoftmax(g, scores);
        g.Node("MatMul", [weights, AttentionGraph.Values], AttentionGraph.Context);
        AttentionGraph.Outputs(g, "dv");
        return g.ToModel(OnnxVersions.Opset,
            "Scaled dot-product attention: context = softmax(query keys^T / sqrt(64)) values, d fixed at 64; masked positions get weight 0.",
            new AttentionMetadata("scaled-dot", "0.125", 1, "64",
                "weights = softmax(where(mask > 0.5, q k^T / sqrt(d), -inf)); context = weights v",
                AttentionMetadata.NoWeights).ToProps());
    }
}

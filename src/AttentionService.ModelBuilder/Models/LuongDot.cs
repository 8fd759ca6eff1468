using AttentionService.ModelBuilder.Graphs;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.ModelBuilder.Models;

/// <summary>
/// Luong dot-product attention: <c>weights = softmax(q kᵀ)</c> (masked, no scaling), <c>context = weights v</c>.
/// No learned weights, so every dimension stays symbolic: q and k share <c>d</c>, v has its own <c>dv</c>.
/// </summary>
public static class LuongDot
{
    public const string Name = "luong-dot";

    public static ModelProto Build()
    {
        var g = new GraphBuilder(Name);
        AttentionGraph.Inputs(g, "d", "d", "dv");
        var keysT = AttentionGraph.TransposeLastTwo(g, AttentionGraph.Keys, "keys_t");
        var scores = g.Node("MatMul", [AttentionGraph.Query, keysT], "scores");
        var weights = AttentionGraph.MaskedSoftmax(g, scores);
        g.Node("MatMul", [weights, AttentionGraph.Values], AttentionGraph.Context);
        AttentionGraph.Outputs(g, "dv");
        return g.ToModel(OnnxVersions.Opset,
            "Luong dot-product attention: context = softmax(query keys^T) values, unscaled; masked positions get weight 0.",
            new AttentionMetadata("dot", "none", 1, AttentionMetadata.DynamicD,
                "weights = softmax(where(mask > 0.5, q k^T, -inf)); context = weights v",
                AttentionMetadata.NoWeights).ToProps());
    }
}

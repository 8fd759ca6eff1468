using AttentionService.ModelBuilder.Graphs;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.ModelBuilder.Models;

/// <summary>
/// Scaled dot-product attention (Vaswani et al.): <c>weights = softmax(q kᵀ / √d)</c>, <c>context = weights v</c>.
/// d is symbolic: the scale is computed from the query's last dimension at run time (Shape, Cast, Sqrt, Div), the
/// way exporters write it, so any d is served.
/// </summary>
public static class ScaledDot
{
    public const string Name = "scaled-dot";

    public static ModelProto Build()
    {
        var g = new GraphBuilder(Name);
        AttentionGraph.Inputs(g, "d", "d", "dv");
        var d = g.Node("Shape", [AttentionGraph.Query], "d", GraphBuilder.Attribute("start", -1L));
        var dFloat = g.Node("Cast", [d], "d_float", GraphBuilder.Attribute("to", (long)TensorProto.Types.DataType.Float));
        var sqrtD = g.Node("Sqrt", [dFloat], "sqrt_d");
        var scale = g.Node("Div", [g.Initializer("one", [1f], 1), sqrtD], "scale");
        var keysT = AttentionGraph.TransposeLastTwo(g, AttentionGraph.Keys, "keys_t");
        var dots = g.Node("MatMul", [AttentionGraph.Query, keysT], "dots");
        var scores = g.Node("Mul", [dots, scale], "scores");
        var weights = AttentionGraph.MaskedSoftmax(g, scores);
        g.Node("MatMul", [weights, AttentionGraph.Values], AttentionGraph.Context);
        AttentionGraph.Outputs(g, "dv");
        return g.ToModel(OnnxVersions.Opset,
            "Scaled dot-product attention: context = softmax(query keys^T / sqrt(d)) values, d read from the query at run time; masked positions get weight 0.",
            new AttentionMetadata("scaled-dot", "1/sqrt(d)", 1, "dynamic",
                "weights = softmax(where(mask > 0.5, q k^T / sqrt(d), -inf)); context = weights v",
                AttentionMetadata.NoWeights).ToProps());
    }
}

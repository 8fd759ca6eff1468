using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.ModelBuilder.Models;

/// <summary>
/// The seed Keras layer: <c>scores = query · valuesᵀ</c> (no scaling), <c>weights = softmax(scores)</c> over the
/// values axis, <c>context = weights · values</c>. No learned weights, so every dimension stays symbolic.
/// </summary>
public static class LuongDot
{
    public const string Name = "luong-dot";

    public static ModelProto Build()
    {
        var g = new GraphBuilder(Name);
        var query = g.Input("query", "batch", "tq", "d");
        var values = g.Input("values", "batch", "tv", "d");
        var valuesT = g.Node("Transpose", [values], "values_t", GraphBuilder.Attribute("perm", 0L, 2L, 1L));
        var scores = g.Node("MatMul", [query, valuesT], "scores");
        var weights = g.Node("Softmax", [scores], "weights", GraphBuilder.Attribute("axis", -1L));
        g.Node("MatMul", [weights, values], "context");
        g.Output("context", "batch", "tq", "d");
        g.Output("weights", "batch", "tq", "tv");
        return g.ToModel(OnnxVersions.Opset,
            "Luong dot-product attention: context = softmax(query · valuesᵀ) · values",
            [
                new("attention.scoring", "dot"),
                new("attention.scale", "none"),
                new("attention.heads", "1"),
            ]);
    }
}

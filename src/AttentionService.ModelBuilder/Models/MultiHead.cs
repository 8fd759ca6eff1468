using AttentionService.ModelBuilder.Graphs;
using AttentionService.ModelBuilder.Weights;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.ModelBuilder.Models;

/// <summary>
/// Multi-head attention: project q, k, v with Wq, Wk, Wv [64, 64]; split into 4 heads of 16; per head
/// <c>softmax(q_h k_hᵀ / √16) v_h</c>; concatenate the heads and project with Wo [64, 64]. No biases. Weights are
/// Glorot-uniform from a fixed seed, drawn in the order Wq, Wk, Wv, Wo. The weights output is per head.
/// </summary>
public static class MultiHead
{
    public const string Name = "multihead";

    public const int D = AttentionGraph.ModelDim;

    public const int Heads = 4;

    public const int HeadDim = D / Heads;

    public const ulong Seed = 303;

    public const string Wq = "Wq";
    public const string Wk = "Wk";
    public const string Wv = "Wv";
    public const string Wo = "Wo";

    public static ModelProto Build()
    {
        var random = new SplitMix64(Seed);
        var g = new GraphBuilder(Name);
        AttentionGraph.Inputs(g, D, D, D);
        var wq = g.Initializer(Wq, GlorotUniform.Matrix(random, D, D), D, D);
        var wk = g.Initializer(Wk, GlorotUniform.Matrix(random, D, D), D, D);
        var wv = g.Initializer(Wv, GlorotUniform.Matrix(random, D, D), D, D);
        var wo = g.Initializer(Wo, GlorotUniform.Matrix(random, D, D), D, D);
        // Reshape's 0 copies that input dimension, so batch and sequence length stay symbolic.
        var splitShape = g.Initializer("split_heads_shape", [0L, 0L, Heads, HeadDim], 4);
        var mergeShape = g.Initializer("merge_heads_shape", [0L, 0L, D], 3);
        var scale = g.Initializer("scale", [(float)(1 / Math.Sqrt(HeadDim))]);

        var queryHeads = SplitHeads(g, g.Node("MatMul", [AttentionGraph.Query, wq], "query_projected"), splitShape, "query", 0, 2, 1, 3);
        var keysHeadsT = SplitHeads(g, g.Node("MatMul", [AttentionGraph.Keys, wk], "keys_projected"), splitShape, "keys", 0, 2, 3, 1);
        var valuesHeads = SplitHeads(g, g.Node("MatMul", [AttentionGraph.Values, wv], "values_projected"), splitShape, "values", 0, 2, 1, 3);

        var dots = g.Node("MatMul", [queryHeads, keysHeadsT], "dots");
        var scores = g.Node("Mul", [dots, scale], "scores");
        var weights = AttentionGraph.MaskedSoftmax(g, scores, perHead: true);
        var contextHeads = g.Node("MatMul", [weights, valuesHeads], "context_heads");
        var contextTime = g.Node("Transpose", [contextHeads], "context_b_tq_h_16", GraphBuilder.Attribute("perm", 0L, 2L, 1L, 3L));
        var merged = g.Node("Reshape", [contextTime, mergeShape], "context_merged");
        g.Node("MatMul", [merged, wo], AttentionGraph.Context);
        AttentionGraph.Outputs(g, D, Heads);
        return g.ToModel(OnnxVersions.Opset,
            "Multi-head attention: 4 heads of 16 over d = 64; per head softmax(q Wq k^T Wk^T / sqrt(16)) v Wv, heads " +
            "concatenated and projected by Wo; Wq, Wk, Wv, Wo [64, 64] learned; weights are per head [batch, 4, tq, tv].",
            new AttentionMetadata("multihead-scaled-dot", "0.25", Heads, "64",
                "per head h: weights_h = softmax(where(mask > 0.5, (q Wq)_h (k Wk)_h^T / sqrt(16), -inf)); " +
                "context = concat_h(weights_h (v Wv)_h) Wo",
                AttentionMetadata.SeededWeights(Seed)).ToProps());
    }

    /// <summary>[b, t, 64] to [b, t, 4, 16], then transposed by <paramref name="perm"/> (heads to axis 1).</summary>
    private static string SplitHeads(GraphBuilder g, string projected, string splitShape, string name, params long[] perm)
    {
        var split = g.Node("Reshape", [projected, splitShape], name + "_split");
        return g.Node("Transpose", [split], name + "_heads", GraphBuilder.Attribute("perm", perm));
    }
}

using AttentionService.ModelBuilder.Graphs;
using AttentionService.ModelBuilder.Weights;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.ModelBuilder.Models;

/// <summary>
/// Bahdanau additive attention: <c>score[i, j] = vᵀ tanh(q[i] W₁ + k[j] W₂)</c>, <c>context = softmax(score) v</c>.
/// W₁, W₂ [64, 64] and v [64, 1] are learned (Glorot-uniform from a fixed seed, drawn in that order). The pairwise sum
/// is a broadcast Add of [b, tq, 1, h] and [b, 1, tv, h]; MatMul with v and Squeeze give [b, tq, tv].
/// </summary>
public static class Bahdanau
{
    public const string Name = "bahdanau";

    public const int D = AttentionGraph.ModelDim;

    /// <summary>The hidden size h of the additive score.</summary>
    public const int Units = 64;

    public const ulong Seed = 202;

    public const string W1 = "W1";
    public const string W2 = "W2";
    public const string V = "v";

    public static ModelProto Build()
    {
        var random = new SplitMix64(Seed);
        var g = new GraphBuilder(Name);
        AttentionGraph.Inputs(g, D, D, "dv");
        var w1 = g.Initializer(W1, GlorotUniform.Matrix(random, D, Units), D, Units);
        var w2 = g.Initializer(W2, GlorotUniform.Matrix(random, D, Units), D, Units);
        var v = g.Initializer(V, GlorotUniform.Matrix(random, Units, 1), Units, 1);
        var queryAxis = g.Initializer("query_broadcast_axis", [2L], 1);
        var keysAxis = g.Initializer("keys_broadcast_axis", [1L], 1);
        var scoreAxis = g.Initializer("score_axis", [3L], 1);

        var queryHidden = g.Node("MatMul", [AttentionGraph.Query, w1], "query_hidden");
        var keysHidden = g.Node("MatMul", [AttentionGraph.Keys, w2], "keys_hidden");
        var queryRows = g.Node("Unsqueeze", [queryHidden, queryAxis], "query_hidden_b_tq_1_h");
        var keysColumns = g.Node("Unsqueeze", [keysHidden, keysAxis], "keys_hidden_b_1_tv_h");
        var pairs = g.Node("Add", [queryRows, keysColumns], "pairs_hidden");
        var activated = g.Node("Tanh", [pairs], "pairs_tanh");
        var scoreColumn = g.Node("MatMul", [activated, v], "scores_b_tq_tv_1");
        var scores = g.Node("Squeeze", [scoreColumn, scoreAxis], "scores");
        var weights = AttentionGraph.MaskedSoftmax(g, scores);
        g.Node("MatMul", [weights, AttentionGraph.Values], AttentionGraph.Context);
        AttentionGraph.Outputs(g, "dv");
        return g.ToModel(OnnxVersions.Opset,
            "Bahdanau additive attention: score = v^T tanh(query W1 + keys W2), W1 and W2 [64, 64], v [64, 1] learned; " +
            "context = softmax(score) values; masked positions get weight 0.",
            new AttentionMetadata("additive", "none", 1, "64",
                "weights = softmax(where(mask > 0.5, v^T tanh(q W1 + k W2), -inf)); context = weights v",
                AttentionMetadata.SeededWeights(Seed)).ToProps());
    }
}

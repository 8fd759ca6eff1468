using AttentionService.ModelBuilder.Graphs;
using AttentionService.ModelBuilder.Weights;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.ModelBuilder.Models;

/// <summary>
/// Luong "general" attention: <c>weights = softmax(q W kᵀ)</c>, <c>context = weights v</c>, with a learned
/// W [64, 64] (Glorot-uniform from a fixed seed). Query and keys are fixed at d = 64; values keep a symbolic dv.
/// </summary>
public static class LuongGeneral
{
    public const string Name = "luong-general";

    public const int D = AttentionGraph.ModelDim;

    public const ulong Seed = 101;

    /// <summary>The initializer holding W [64, 64].</summary>
    public const string W = "W";

    public static ModelProto Build()
    {
        var random = new SplitMix64(Seed);
        var g = new GraphBuilder(Name);
        AttentionGraph.Inputs(g, D, D, "dv");
        var w = g.Initializer(W, GlorotUniform.Matrix(random, D, D), D, D);
        var queryW = g.Node("MatMul", [AttentionGraph.Query, w], "query_w");
        var keysT = AttentionGraph.TransposeLastTwo(g, AttentionGraph.Keys, "keys_t");
        var scores = g.Node("MatMul", [queryW, keysT], "scores");
        var weights = AttentionGraph.MaskedSoftmax(g, scores);
        g.Node("MatMul", [weights, AttentionGraph.Values], AttentionGraph.Context);
        AttentionGraph.Outputs(g, "dv");
        return g.ToModel(OnnxVersions.Opset,
            "Luong general attention: context = softmax(query W keys^T) values, W learned [64, 64]; masked positions get weight 0.",
            new AttentionMetadata("general", "none", 1, "64",
                "weights = softmax(where(mask > 0.5, q W k^T, -inf)); context = weights v",
                AttentionMetadata.SeededWeights(Seed)).ToProps());
    }
}

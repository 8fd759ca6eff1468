using AttentionService.Core.Models;
using AttentionService.Onnx;

namespace AttentionService.ModelBuilder.Graphs;

/// <summary>
/// The parts every attention model shares: the four inputs and two outputs of the common signature, and the masked
/// softmax that turns scores into weights.
/// </summary>
public static class AttentionGraph
{
    public const string Query = AttentionTensorNames.Query;
    public const string Keys = AttentionTensorNames.Keys;
    public const string Values = AttentionTensorNames.Values;
    public const string Mask = AttentionTensorNames.Mask;
    public const string Context = AttentionTensorNames.Context;
    public const string Weights = AttentionTensorNames.Weights;

    /// <summary>The feature size of models with learned weights.</summary>
    public const int ModelDim = 64;

    /// <summary>
    /// Declares query [batch, tq, dq], keys [batch, tv, dk], values [batch, tv, dv], mask [batch, tq, tv], in that
    /// order; each feature dimension is a symbolic name (string) or a fixed size (int).
    /// </summary>
    public static void Inputs(GraphBuilder g, object dq, object dk, object dv)
    {
        g.Input(Query, "batch", "tq", dq);
        g.Input(Keys, "batch", "tv", dk);
        g.Input(Values, "batch", "tv", dv);
        g.Input(Mask, "batch", "tq", "tv");
    }

    /// <summary>Declares context [batch, tq, dv] and weights [batch, tq, tv], or [batch, heads, tq, tv] when heads &gt; 1.</summary>
    public static void Outputs(GraphBuilder g, object dv, int heads = 1)
    {
        g.Output(Context, "batch", "tq", dv);
        if (heads == 1) g.Output(Weights, "batch", "tq", "tv");
        else g.Output(Weights, "batch", heads, "tq", "tv");
    }

    /// <summary>
    /// <c>softmax(where(mask &gt; 0.5, scores, -inf))</c> over the last axis, written to <see cref="Weights"/>.
    /// Masked positions become exactly 0 because exp(-inf) is 0; the host never sends a row with every position
    /// masked, so no row is all -inf. With <paramref name="perHead"/> the [batch, tq, tv] mask is broadcast over the
    /// head axis of [batch, heads, tq, tv] scores.
    /// </summary>
    public static string MaskedSoftmax(GraphBuilder g, string scores, bool perHead = false)
    {
        var negativeInfinity = g.Initializer("negative_infinity", [float.NegativeInfinity]);
        var threshold = g.Initializer("mask_threshold", [0.5f]);
        var attend = g.Node("Greater", [Mask, threshold], "mask_attend");
        if (perHead)
            attend = g.Node("Unsqueeze", [attend, g.Initializer("head_axis", [1L], 1)], "mask_attend_per_head");
        var masked = g.Node("Where", [attend, scores, negativeInfinity], "scores_masked");
        return g.Node("Softmax", [masked], Weights, GraphBuilder.Attribute("axis", -1L));
    }

    /// <summary>[batch, t, d] to [batch, t, d]ᵀ = [batch, d, t].</summary>
    public static string TransposeLastTwo(GraphBuilder g, string input, string output) =>
        g.Node("Transpose", [input], output, GraphBuilder.Attribute("perm", 0L, 2L, 1L));
}

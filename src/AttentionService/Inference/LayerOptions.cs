using AttentionService.Contracts;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Registry;

namespace AttentionService.Inference;

/// <summary>
/// Checks what a tensor request asks of its answer against the model and the inputs built for it, before the run:
/// <c>"heads": "average"</c> needs weights with a heads axis, and each <c>tokens</c> list needs one label per position.
/// </summary>
public static class LayerOptions
{
    /// <summary>A 400 when <paramref name="heads"/> asks to average a model's weights that have no heads axis; else null.</summary>
    public static InferenceError? CheckHeads(string modelName, ModelSignature signature, ModelBinding binding, AttentionHeads heads)
    {
        if (heads != AttentionHeads.Average || WeightHeads.HasAxis(signature, binding)) return null;
        return InferenceError.BadRequest(
            $"model '{modelName}' answers weights {signature.Outputs[binding.Weights].ShapeText} without a heads axis, so there are no heads to average; " +
            "heads \"average\" applies to multi-head models (GET /models shows their heads)");
    }

    /// <summary>
    /// A 400 when a label list does not have one label per position: <c>tokens.query</c> tq, <c>tokens.keys</c> tv
    /// (of the keys, or of the values standing in for them); the same labels serve every batch item.
    /// </summary>
    public static InferenceError? CheckTokens(TokenLabels? tokens, ModelBinding binding, AttentionInputs inputs, bool keysSent)
    {
        if (tokens is null) return null;
        var tq = Positions(inputs.Ordered[binding.Query]);
        if (tokens.Query is { } query && query.Count != tq)
            return Mismatch("tokens.query", query.Count, tq, "tq, the query's positions");
        var tv = Positions(inputs.Ordered[binding.Keys >= 0 ? binding.Keys : binding.Values]);
        if (tokens.Keys is { } keys && keys.Count != tv)
            return Mismatch("tokens.keys", keys.Count, tv, keysSent ? "tv, the keys' positions" : "tv, the positions of the values (as keys)");
        return null;
    }

    /// <summary>Sequence positions of a batched role tensor: t of [batch, t, d], 1 for a decoder step's [batch, d].</summary>
    private static int Positions(TensorView t) => t.Rank == 3 ? t.Shape[1] : 1;

    private static InferenceError Mismatch(string field, int count, int positions, string what) =>
        InferenceError.BadRequest($"{field} has {count} label{(count == 1 ? "" : "s")}, expected {positions} ({what})");
}

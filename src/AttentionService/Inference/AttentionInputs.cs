using AttentionService.Configuration;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Inference;

/// <summary>
/// Turns what a user sends (rank 2 or rank 3 tensors, optional keys, padding or full mask, causal flag) into the
/// rank-3 inputs a model's graph takes, in its signature's order: keys default to the values, the mask is expanded to
/// <c>[batch, tq, tv]</c> with the causal constraint applied. Owns every tensor it creates.
/// </summary>
public sealed class AttentionInputs : IDisposable
{
    private readonly List<Tensor> _owned = [];

    private AttentionInputs(IReadOnlyList<Tensor> ordered, bool batched, long scores)
    {
        Ordered = ordered;
        Batched = batched;
        Scores = scores;
    }

    /// <summary>Inputs in <see cref="ModelSignature.Inputs"/> order.</summary>
    public IReadOnlyList<Tensor> Ordered { get; }

    /// <summary>False when the request came without a batch axis, so the answer drops it again.</summary>
    public bool Batched { get; }

    /// <summary>How many attention scores the request computes, batch × tq × tv: the measure of its size.</summary>
    public long Scores { get; }

    public static (AttentionInputs? Inputs, InferenceError? Error) Build(
        string modelName, ModelSignature signature, Tensor query, Tensor? keys, Tensor values, Tensor? mask, bool causal,
        RequestLimits limits)
    {
        var rank = query.Rank;
        if (rank is not (2 or 3))
            return Fail(InferenceError.BadRequest($"query has rank {rank}; send [tq][d] or [batch][tq][d]"));
        foreach (var (name, tensor) in new[] { ("keys", keys), ("values", values) })
            if (tensor is not null && tensor.Rank != rank)
                return Fail(InferenceError.BadRequest($"{name} has rank {tensor.Rank} but query has rank {rank}; send both unbatched or both batched"));

        var batched = rank == 3;
        var q = batched ? query : query.Reshape(1, query.Shape[0], query.Shape[1]);
        var v = batched ? values : values.Reshape(1, values.Shape[0], values.Shape[1]);
        var k = keys is null ? v : batched ? keys : keys.Reshape(1, keys.Shape[0], keys.Shape[1]);
        int batch = q.Shape[0], tq = q.Shape[1], tv = k.Shape[1];
        var inputs = new AttentionInputs(new Tensor[signature.Inputs.Count], batched, (long)batch * tq * tv);

        // Keys left out are the values: errors name them so, since the user never sent "keys".
        var keysLabel = keys is null ? "values (as keys)" : "keys";
        if (LimitError(limits, q, (keysLabel, k), v) is { } tooLarge)
            return inputs.Failed(tooLarge);
        if (signature.InputIndex(AttentionTensorNames.Keys) < 0 && keys is not null)
            return inputs.Failed(InferenceError.Unprocessable($"model '{modelName}' takes no keys (its keys are its values); inputs are {InputList(signature)}"));

        Tensor? fullMask = null;
        if (signature.InputIndex(AttentionTensorNames.Mask) >= 0)
        {
            // Batch and tv of keys/values are checked against each other by the signature; the mask is built from k.
            if (k.Shape[0] != batch)
                return inputs.Failed(InferenceError.Unprocessable($"{keysLabel} has batch = {k.Shape[0]} but query has batch = {batch}"));
            var (built, error) = MaskBuilder.Build(mask, causal, rank, batch, tq, tv);
            if (error is not null) return inputs.Failed(error);
            fullMask = inputs.Own(built!);
        }
        else if (mask is not null || causal)
        {
            return inputs.Failed(InferenceError.Unprocessable($"model '{modelName}' takes no mask, so neither mask nor causal applies; inputs are {InputList(signature)}"));
        }

        var ordered = (Tensor[])inputs.Ordered;
        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            ordered[i] = signature.Inputs[i].Name switch
            {
                AttentionTensorNames.Query => q,
                AttentionTensorNames.Keys => k,
                AttentionTensorNames.Values => v,
                AttentionTensorNames.Mask => fullMask!,
                var other => throw new InvalidOperationException($"input '{other}' passed the attention contract"),
            };
        }
        var labels = signature.Inputs.Select(i => i.Name == AttentionTensorNames.Keys ? keysLabel : i.Name).ToArray();
        if (signature.Validate(ordered, labels) is { } mismatch)
            return inputs.Failed(InferenceError.Unprocessable($"model '{modelName}': {mismatch}"));
        return (inputs, null);
    }

    private static InferenceError? LimitError(RequestLimits limits, Tensor q, (string Label, Tensor Tensor) k, Tensor v)
    {
        foreach (var (name, t) in new[] { ("query", q), ("values", v), k })
        {
            if (t.Shape[0] > limits.MaxBatch)
                return InferenceError.TooLarge($"{name} has batch = {t.Shape[0]}, the limit is {limits.MaxBatch} (Attention:Limits:MaxBatch)");
            if (t.Shape[1] > limits.MaxSequenceLength)
                return InferenceError.TooLarge($"{name} has {t.Shape[1]} positions, the limit is {limits.MaxSequenceLength} (Attention:Limits:MaxSequenceLength)");
            if (t.Shape[2] > limits.MaxFeatures)
                return InferenceError.TooLarge($"{name} has {t.Shape[2]} features, the limit is {limits.MaxFeatures} (Attention:Limits:MaxFeatures)");
        }
        var weights = (long)q.Shape[0] * q.Shape[1] * k.Tensor.Shape[1];
        if (weights > limits.MaxElements)
            return InferenceError.TooLarge($"the weights would have batch·tq·tv = {weights} numbers, the limit is {limits.MaxElements} (Attention:Limits:MaxElements)");
        return null;
    }

    private static string InputList(ModelSignature signature) => string.Join(", ", signature.Inputs.Select(i => i.Name));

    private Tensor Own(Tensor tensor)
    {
        _owned.Add(tensor);
        return tensor;
    }

    private (AttentionInputs?, InferenceError?) Failed(InferenceError error)
    {
        Dispose();
        return (null, error);
    }

    private static (AttentionInputs?, InferenceError?) Fail(InferenceError error) => (null, error);

    /// <summary>Disposes what this object created (the mask), never the request's own tensors.</summary>
    public void Dispose()
    {
        foreach (var tensor in _owned) tensor.Dispose();
        _owned.Clear();
    }
}

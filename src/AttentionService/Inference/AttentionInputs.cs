using AttentionService.Contracts;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Inference;

/// <summary>
/// Turns what a user sends (rank 2 or rank 3 tensors, optional keys, padding or full mask, causal flag) into the
/// rank-3 inputs a model's graph takes, in its signature's order: keys default to the values, the mask is expanded to
/// <c>[batch, tq, tv]</c> with the causal constraint applied. The inputs are views of the request's tensors and of the
/// mask, which this object owns when it built one.
/// </summary>
public sealed class AttentionInputs : IDisposable
{
    private readonly TensorView[] _ordered;
    private MaskBuilder.Mask _mask;

    private AttentionInputs(int count, bool batched, long scores)
    {
        _ordered = new TensorView[count];
        Batched = batched;
        Scores = scores;
    }

    /// <summary>Inputs in <see cref="ModelSignature.Inputs"/> order.</summary>
    public ReadOnlySpan<TensorView> Ordered => _ordered;

    /// <summary>False when the request came without a batch axis, so the answer drops it again.</summary>
    public bool Batched { get; }

    /// <summary>How many attention scores the request computes, batch × tq × tv: the measure of its size.</summary>
    public long Scores { get; }

    public static (AttentionInputs? Inputs, InferenceError? Error) Build(
        string modelName, ModelSignature signature, AttendRequest request, RequestLimits limits)
    {
        Tensor<float> query = request.Query, values = request.Values;
        var keys = request.Keys;
        var rank = query.Rank;
        if (rank is not (2 or 3))
            return Fail(InferenceError.BadRequest($"query has rank {rank}; send [tq][d] or [batch][tq][d]"));
        if (keys is not null && keys.Rank != rank)
            return Fail(InferenceError.BadRequest($"keys has rank {keys.Rank} but query has rank {rank}; send both unbatched or both batched"));
        if (values.Rank != rank)
            return Fail(InferenceError.BadRequest($"values has rank {values.Rank} but query has rank {rank}; send both unbatched or both batched"));

        var batched = rank == 3;
        var q = WithBatchAxis(query, batched);
        var v = WithBatchAxis(values, batched);
        var k = keys is null ? v : WithBatchAxis(keys, batched);
        int batch = q.Shape[0], tq = q.Shape[1], tv = k.Shape[1];

        // Keys left out are the values: errors name them so, since the user never sent "keys".
        var keysLabel = keys is null ? "values (as keys)" : "keys";
        if ((LimitError(limits, "query", q) ?? LimitError(limits, "values", v) ?? LimitError(limits, keysLabel, k)) is { } tooLarge)
            return Fail(tooLarge);
        var scores = (long)batch * tq * tv;
        if (scores > limits.MaxElements)
            return Fail(InferenceError.TooLarge($"the weights would have batch·tq·tv = {scores} numbers, the limit is {limits.MaxElements} (Attention:Limits:MaxElements)"));
        if (signature.InputIndex(AttentionTensorNames.Keys) < 0 && keys is not null)
            return Fail(InferenceError.Unprocessable($"model '{modelName}' takes no keys (its keys are its values); inputs are {InputList(signature)}"));

        var inputs = new AttentionInputs(signature.Inputs.Count, batched, scores);
        if (signature.InputIndex(AttentionTensorNames.Mask) >= 0)
        {
            // Batch and tv of keys/values are checked against each other by the signature; the mask is built from k.
            if (k.Shape[0] != batch)
                return Fail(InferenceError.Unprocessable($"{keysLabel} has batch = {k.Shape[0]} but query has batch = {batch}"));
            var (mask, error) = MaskBuilder.Build(request.Mask, request.Causal, rank, batch, tq, tv);
            if (error is not null) return Fail(error);
            inputs._mask = mask;
        }
        else if (request.Mask is not null || request.Causal)
        {
            return Fail(InferenceError.Unprocessable($"model '{modelName}' takes no mask, so neither mask nor causal applies; inputs are {InputList(signature)}"));
        }

        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            inputs._ordered[i] = signature.Inputs[i].Name switch
            {
                AttentionTensorNames.Query => q,
                AttentionTensorNames.Keys => k,
                AttentionTensorNames.Values => v,
                AttentionTensorNames.Mask => inputs._mask.View,
                var other => throw new InvalidOperationException($"input '{other}' passed the attention contract"),
            };
        }
        if (signature.Validate(inputs._ordered) is not null)
        {
            // Checked again with the names the user knows, only to word the error.
            var labels = signature.Inputs.Select(i => i.Name == AttentionTensorNames.Keys ? keysLabel : i.Name).ToArray();
            var mismatch = signature.Validate(inputs._ordered, labels);
            inputs.Dispose();
            return Fail(InferenceError.Unprocessable($"model '{modelName}': {mismatch}"));
        }
        return (inputs, null);
    }

    /// <summary>The tensor with a batch axis of 1 added when the request had none (a view of the same buffer).</summary>
    private static TensorView<float> WithBatchAxis(Tensor<float> tensor, bool batched) =>
        batched ? tensor.View : tensor.Reshape(1, tensor.Shape[0], tensor.Shape[1]);

    private static InferenceError? LimitError(RequestLimits limits, string name, TensorView<float> t)
    {
        if (t.Shape[0] > limits.MaxBatch)
            return InferenceError.TooLarge($"{name} has batch = {t.Shape[0]}, the limit is {limits.MaxBatch} (Attention:Limits:MaxBatch)");
        if (t.Shape[1] > limits.MaxSequenceLength)
            return InferenceError.TooLarge($"{name} has {t.Shape[1]} positions, the limit is {limits.MaxSequenceLength} (Attention:Limits:MaxSequenceLength)");
        if (t.Shape[2] > limits.MaxFeatures)
            return InferenceError.TooLarge($"{name} has {t.Shape[2]} features, the limit is {limits.MaxFeatures} (Attention:Limits:MaxFeatures)");
        return null;
    }

    private static string InputList(ModelSignature signature) => string.Join(", ", signature.Inputs.Select(i => i.Name));

    private static (AttentionInputs?, InferenceError?) Fail(InferenceError error) => (null, error);

    /// <summary>Disposes the mask this object built, never the request's own tensors.</summary>
    public void Dispose() => _mask.Dispose();
}

using AttentionService.Contracts;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Registry;
using static AttentionService.Core.Models.AttentionTensorNames;

namespace AttentionService.Inference;

/// <summary>
/// Turns what a user sends (role tensors with or without a batch axis, optional keys, padding or full mask, causal
/// flag, extra inputs by alias) into the inputs a model's graph takes, in its signature's order, as its binding says:
/// each role tensor in the rank of the graph input it is bound to (a batch axis of 1 added when the request left it
/// out), keys defaulting to the values, the mask converted to the model's type, meaning and rank, extra inputs parsed
/// as their graph input's element type. The inputs are views of the request's tensors and of what this object owns:
/// the mask it built and the extra inputs it parsed.
/// </summary>
public sealed class AttentionInputs : IDisposable
{
    private readonly TensorView[] _ordered;
    // Only requests with extra inputs have these: the keys they were sent under, and the tensors parsed for them.
    private string?[]? _extraKeys;
    private List<IDisposable>? _owned;
    private MaskBuilder.Mask _mask;

    private AttentionInputs(int count, bool batched, long scores)
    {
        _ordered = new TensorView[count];
        Batched = batched;
        Scores = scores;
    }

    /// <summary>Inputs in <see cref="ModelSignature.Inputs"/> order.</summary>
    public ReadOnlySpan<TensorView> Ordered => _ordered;

    /// <summary>False when the request came without a batch axis, so the answer's context and weights drop it again.</summary>
    public bool Batched { get; }

    /// <summary>How many attention scores the request computes, batch × tq × tv: the measure of its size.</summary>
    public long Scores { get; }

    public static (AttentionInputs? Inputs, InferenceError? Error) Build(
        string modelName, ModelSignature signature, ModelBinding binding, AttendRequest request, RequestLimits limits)
    {
        var querySpec = signature.Inputs[binding.Query];
        var valuesSpec = signature.Inputs[binding.Values];
        // Keys left out are the values, so a model without a keys input takes keys of the values' rank.
        var keysRank = binding.Keys >= 0 ? signature.Inputs[binding.Keys].Rank : valuesSpec.Rank;
        Tensor<float> query = request.Query, values = request.Values;
        var keys = request.Keys;

        // The request's batch axis is optional: its query has the rank of the graph's query, or one less.
        var batched = query.Rank == querySpec.Rank;
        if (!batched && query.Rank != querySpec.Rank - 1)
            return Fail(RankError($"query has rank {query.Rank}; send {Form(Query, querySpec.Rank, batched: false)} or {Form(Query, querySpec.Rank, batched: true)}"));
        if (keys is not null && RankMismatch(Keys, keys, keysRank, batched, query, querySpec) is { } keysRankError)
            return Fail(keysRankError);
        if (RankMismatch(Values, values, valuesSpec.Rank, batched, query, querySpec) is { } valuesRankError)
            return Fail(valuesRankError);

        var q = WithBatchAxis(query, batched);
        var v = WithBatchAxis(values, batched);
        var k = keys is null ? v : WithBatchAxis(keys, batched);
        int batch = q.Shape[0], tq = Positions(q), tv = Positions(k);

        // Keys left out are the values: errors name them so, since the user never sent "keys".
        var keysLabel = keys is null ? "values (as keys)" : Keys;
        if ((LimitError(limits, Query, q) ?? LimitError(limits, Values, v) ?? LimitError(limits, keysLabel, k)) is { } tooLarge)
            return Fail(tooLarge);
        var scores = (long)batch * tq * tv;
        if (scores > limits.MaxElements)
            return Fail(InferenceError.TooLarge($"the weights would have batch·tq·tv = {scores} numbers, the limit is {limits.MaxElements} (Attention:Limits:MaxElements)"));
        if (binding.Keys < 0 && keys is not null)
            return Fail(InferenceError.Unprocessable($"model '{modelName}' takes no keys (its keys are its values); inputs are {InputList(signature, binding)}"));

        var inputs = new AttentionInputs(signature.Inputs.Count, batched, scores);
        if (binding.Mask >= 0)
        {
            // Batch and tv of keys/values are checked against each other by the signature; the mask is built from k.
            if (k.Shape[0] != batch)
                return Fail(InferenceError.Unprocessable($"{keysLabel} has batch = {k.Shape[0]} but query has batch = {batch}"));
            var spec = signature.Inputs[binding.Mask];
            var (mask, error) = MaskBuilder.Build(request.Mask, request.Causal, batched, batch, tq, tv,
                new MaskForm(spec.ElementType, binding.MaskMeaning, spec.Rank));
            if (error is not null) return Fail(error);
            inputs._mask = mask;
            inputs._ordered[binding.Mask] = mask.View;
        }
        else if (request.Mask is not null || request.Causal)
        {
            return Fail(InferenceError.Unprocessable($"model '{modelName}' takes no mask, so neither mask nor causal applies; inputs are {InputList(signature, binding)}"));
        }

        inputs._ordered[binding.Query] = q;
        inputs._ordered[binding.Values] = v;
        if (binding.Keys >= 0) inputs._ordered[binding.Keys] = k;
        if ((inputs.ReadExtraInputs(modelName, signature, binding, request.Inputs, limits)
             ?? InputShapes.Check(modelName, signature, binding, inputs._ordered, new InputLabels(binding, keysLabel, inputs._extraKeys), batched)) is { } mismatch)
        {
            inputs.Dispose();
            return Fail(mismatch);
        }
        return (inputs, null);
    }

    /// <summary>
    /// Feeds every graph input that is not a role from the request's <c>inputs</c>, keyed by alias or graph name,
    /// parsed as the graph input's element type and given in its rank; returns what is wrong, or null.
    /// </summary>
    private InferenceError? ReadExtraInputs(string modelName, ModelSignature signature, ModelBinding binding,
        IReadOnlyDictionary<string, JsonTensor>? sent, RequestLimits limits)
    {
        var keys = new string?[signature.Inputs.Count];
        foreach (var key in sent?.Keys ?? [])
        {
            var input = binding.FindExtraInput(key);
            if (input < 0)
                return InferenceError.BadRequest(ModelBinding.IsInputRole(key)
                    ? $"inputs.{key}: {key} is a role; send it as the request's own \"{key}\""
                    : $"model '{modelName}' has no input '{ClientText.Shorten(key)}' to feed from inputs; {ExtraInputsText(binding)}");
            if (keys[input] is { } other)
                return InferenceError.BadRequest($"inputs.{ClientText.Shorten(other)} and inputs.{ClientText.Shorten(key)} both name graph input '{signature.Inputs[input].Name}'");
            keys[input] = key;
        }
        for (var i = 0; i < keys.Length; i++)
        {
            if (!binding.IsExtraInput(i) || keys[i] is not null) continue;
            var spec = signature.Inputs[i];
            return InferenceError.BadRequest(
                $"model '{modelName}' needs inputs.{binding.InputName(i)} ({spec.Datatype} {spec.ShapeText}); send it in the request's \"inputs\"");
        }
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] is not { } key) continue;
            var spec = signature.Inputs[i];
            var (owner, view, error) = sent![key].Read(spec.ElementType, limits);
            if (error is not null) return error;
            (_owned ??= []).Add(owner!);
            if (view.Rank != spec.Rank)
                return RankError($"inputs.{ClientText.Shorten(key)} has rank {view.Rank}; model '{modelName}' takes {binding.InputName(i)} as {spec.Datatype} {spec.ShapeText}");
            _ordered[i] = view;
            (_extraKeys ??= new string?[keys.Length])[i] = key;
        }
        return null;
    }

    private static string ExtraInputsText(ModelBinding binding)
    {
        var extras = binding.ExtraInputList().ToList();
        return extras.Count == 0 ? "it takes nothing beyond query, keys, values and mask" : $"its inputs beyond the roles are {string.Join(", ", extras)}";
    }

    /// <summary>
    /// A role tensor whose rank the model does not take. Wrong ranks are malformed requests (400), as they were when
    /// every model took rank 3; dimensions that do not fit the model are 422.
    /// </summary>
    private static InferenceError RankError(string detail) => InferenceError.BadRequest(detail);

    private static InferenceError? RankMismatch(string role, Tensor<float> tensor, int graphRank, bool batched, Tensor<float> query, TensorSpec querySpec)
    {
        var expected = batched ? graphRank : graphRank - 1;
        if (tensor.Rank == expected) return null;
        if (graphRank == querySpec.Rank)
            return RankError($"{role} has rank {tensor.Rank} but query has rank {query.Rank}; send both unbatched or both batched");
        return RankError($"{role} has rank {tensor.Rank}; with query {(batched ? "batched" : "unbatched")} as {Form(Query, querySpec.Rank, batched)}, " +
                         $"send {role} as {Form(role, graphRank, batched)}");
    }

    /// <summary>How a role is sent for a graph input of <paramref name="graphRank"/>: e.g. <c>[batch][tq][d]</c>, or <c>[tq][d]</c> unbatched.</summary>
    private static string Form(string role, int graphRank, bool batched)
    {
        var positions = role == Query ? "tq" : "tv";
        var features = role == Values ? "dv" : "d";
        var axes = graphRank == 3 ? $"[{positions}][{features}]" : $"[{features}]";
        return batched ? "[batch]" + axes : axes;
    }

    /// <summary>The tensor with a batch axis of 1 added when the request had none (a view of the same buffer).</summary>
    private static TensorView<float> WithBatchAxis(Tensor<float> tensor, bool batched) =>
        batched ? tensor.View : tensor.Reshape([1, .. tensor.Shape]);

    /// <summary>Sequence positions of a batched role tensor: tq or tv of [batch, t, d], 1 for [batch, d].</summary>
    private static int Positions(TensorView<float> t) => t.Rank == 3 ? t.Shape[1] : 1;

    private static InferenceError? LimitError(RequestLimits limits, string name, TensorView<float> t)
    {
        if (t.Shape[0] > limits.MaxBatch)
            return InferenceError.TooLarge($"{name} has batch = {t.Shape[0]}, the limit is {limits.MaxBatch} (Attention:Limits:MaxBatch)");
        if (t.Rank == 3 && t.Shape[1] > limits.MaxSequenceLength)
            return InferenceError.TooLarge($"{name} has {t.Shape[1]} positions, the limit is {limits.MaxSequenceLength} (Attention:Limits:MaxSequenceLength)");
        if (t.Shape[^1] > limits.MaxFeatures)
            return InferenceError.TooLarge($"{name} has {t.Shape[^1]} features, the limit is {limits.MaxFeatures} (Attention:Limits:MaxFeatures)");
        return null;
    }

    private static string InputList(ModelSignature signature, ModelBinding binding) =>
        string.Join(", ", Enumerable.Range(0, signature.Inputs.Count).Select(binding.InputName));


    private static (AttentionInputs?, InferenceError?) Fail(InferenceError error) => (null, error);

    /// <summary>Disposes the mask this object built and the extra inputs it parsed, never the request's own tensors.</summary>
    public void Dispose()
    {
        _mask.Dispose();
        foreach (var owned in _owned ?? []) owned.Dispose();
        _owned = null;
    }
}

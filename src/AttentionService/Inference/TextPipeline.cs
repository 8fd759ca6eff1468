using AttentionService.Configuration;
using AttentionService.Contracts;
using AttentionService.Core.Backends;
using AttentionService.Registry;
using Microsoft.Extensions.Options;

namespace AttentionService.Inference;

/// <summary>
/// The domain steps of one /attend request with text, from a parsed request to an answer: find the model (it must take
/// text), choose the backend, check the sources against the model's limits, turn them into tokens, reserve the decode's
/// footprint in the memory budget, decode (<see cref="DecodeRunner"/>) and present each source's decoding. Every failure
/// is an <see cref="InferenceError"/> value.
/// </summary>
public sealed class TextPipeline(ModelRegistry registry, DecodeRunner runner, IOptions<AttentionOptions> options)
{
    /// <summary>Bytes counted for the answer being written, as for a tensor answer.</summary>
    private const long AnswerWriterBytes = 2L * Contracts.Json.AttendResponseWriter.FlushBytes;

    public async ValueTask<TextOutcome> RunAsync(TextRequest request, MemoryReservation reservation, CancellationToken cancellationToken)
    {
        var modelName = request.Model ?? options.Value.DefaultModel;
        if (!registry.TryLease(modelName, out var lease))
            return TextOutcome.Failed(InferenceError.ModelNotFound($"model '{ClientText.Shorten(modelName)}' not found; models are {string.Join(", ", registry.Names)}"));
        TextOutcome? outcome = null;
        try
        {
            outcome = await RunAsync(request, modelName, lease.Model, reservation, cancellationToken);
            return outcome;
        }
        finally
        {
            if (outcome?.Response is not null) outcome.Hold(lease);
            else lease.Dispose();
        }
    }

    private async ValueTask<TextOutcome> RunAsync(TextRequest request, string modelName, RegisteredModel model, MemoryReservation reservation,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!model.TakesText)
            return TextOutcome.Failed(InferenceError.BadRequest(TakesTensors(modelName, model)), modelName);
        if (model.Seq2Seq is not { } seq2seq)
            return TextOutcome.Failed(InferenceError.Unavailable($"model '{modelName}' failed to load: {model.LoadError}"), modelName);

        if (BackendNames.ParseRequested(request.Backend, out var backend) is { } backendError)
            return TextOutcome.Failed(backendError, modelName);
        if (request.Sources.Count > settings.Limits.MaxBatch)
            return TextOutcome.Failed(InferenceError.TooLarge(
                $"sources has {request.Sources.Count} texts, the limit is {settings.Limits.MaxBatch} (Attention:Limits:MaxBatch)"), modelName);
        for (var i = 0; i < request.Sources.Count; i++)
        {
            var length = Vocabulary.SourceLength(request.Sources[i]);
            if (length > seq2seq.Config.MaxSourceLength)
                return TextOutcome.Failed(InferenceError.TooLarge(
                    $"{(request.Batched ? $"sources[{i}]" : "source")} has {length} characters; model '{modelName}' takes at most {seq2seq.Config.MaxSourceLength} " +
                    $"(maxSourceLength in {seq2seq.ConfigFile})"), modelName);
        }

        using var batch = SourceBatch.Encode(seq2seq.Vocabulary, request.Sources);
        var (bytes, what) = DecodeFootprint.Estimate(model, batch, Math.Max(settings.Limits.MaxElements, settings.Limits.MaxIntermediateElements));
        var refused = await reservation.ReserveRunAsync(bytes + AnswerWriterBytes, $"request texts {reservation.Bytes}, {what}, answer writer {AnswerWriterBytes}",
            cancellationToken);
        if (refused is not null) return TextOutcome.Failed(refused, modelName);
        var run = await runner.RunAsync(model, backend, batch, cancellationToken);
        if (run.Error is not null) return TextOutcome.Failed(run.Error, modelName);
        var results = run.Results!;
        var response = new TextResponse
        {
            Model = modelName,
            Backend = run.Backend.ToWireName(),
            Batched = request.Batched,
            Include = request.Include,
            Results = results.Select(r => new Decoding
            {
                SourceTokens = r.SourceTokens, OutputTokens = r.OutputTokens, Output = r.Output, Stop = r.StopText, Context = r.Context, Weights = r.Weights,
            }).ToArray(),
        };
        return TextOutcome.Answered(response, run.Backend, results);
    }

    /// <summary>"model 'luong-dot' takes tensors (query [batch, tq, d], values [batch, tv, dv]), not text; …"</summary>
    private static string TakesTensors(string modelName, RegisteredModel model)
    {
        var inputs = model.Binding is { } binding
            ? string.Join(", ", model.Signature!.Inputs.Select((spec, i) => $"{binding.InputName(i)} {spec.ShapeText}"))
            : "query, values";
        return $"model '{modelName}' takes tensors ({inputs}), not text; send query and values as nested arrays (GET /models/{modelName} describes them)";
    }
}

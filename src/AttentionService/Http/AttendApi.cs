using System.Globalization;
using System.Runtime.CompilerServices;
using AttentionService.Configuration;
using AttentionService.Contracts;
using AttentionService.Inference;
using AttentionService.Registry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Serilog;

namespace AttentionService.Http;

/// <summary>
/// <c>POST /attend</c>: context vectors and attention weights for a query against keys and values; or, for a seq2seq
/// model, a text decoded end to end with the context and weights of every step.
/// </summary>
public static class AttendApi
{
    public static IEndpointConventionBuilder MapAttendApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/attend", Attend)
            .WithName("Attend")
            .WithTags("Attention")
            .WithSummary("Run an attention model")
            .WithDescription("Scores the query against the keys (default: the values), normalises with softmax over the values axis and " +
                             "returns the weighted values (context) together with the weights. Tensors are nested arrays; a batch axis is optional. " +
                             "tokens labels the positions (echoed in the answer), heads chooses per-head or averaged weights for multi-head models, " +
                             "include leaves context or weights out of the answer. " +
                             "A seq2seq model (GET /models: forms has text) also takes text: {\"model\": \"dates\", \"source\": \"24 November 2026\"} " +
                             "(or sources, a batch) is encoded once and decoded greedily, answering the source and output tokens, the output text, and the context " +
                             "and weights [steps][source length] of every step.")
            .Accepts<AttendRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status405MethodNotAllowed)
            .ProducesProblem(StatusCodes.Status408RequestTimeout)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithMetadata(ModelTraffic.Endpoint.Instance);

    /// <summary>Dependencies of the handler.</summary>
    public sealed record AttendServices(AttendPipeline Pipeline, TextPipeline Text, IDiagnosticContext Log, IOptions<AttentionOptions> Options);

    public static async Task<Results<AttendResult, TextResult, ProblemHttpResult>> Attend(
        AttendBody body, HttpContext http, [AsParameters] AttendServices services, CancellationToken cancellationToken)
    {
        if (body.Error is { } error) return error.ToProblem(http);
        if (body.Text is { } text) return await AttendText(text, body, http, services, cancellationToken);
        using var request = body.Request!;
        var seconds = services.Options.Value.RequestTimeoutSeconds;
        // Attention:RequestTimeoutSeconds bounds queueing and inference only: once the answer streams, a minimum
        // response data rate bounds writing it (Attention:Connections), so a timeout never cuts an answer short.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        AttendOutcome outcome;
        try
        {
            outcome = await services.Pipeline.RunAsync(request, body.Reservation!, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return TimedOut(seconds).ToProblem(http);
        }
        http.Response.RegisterForDispose(outcome);
        if (outcome.Model is { } model) ModelTraffic.SetModel(http, model);
        LogRequest(services.Log, request, outcome);
        return outcome.Response is { } response ? new AttendResult(response) : outcome.Error!.ToProblem(http);
    }

    /// <summary>A text request, under the same timeout as a tensor request.</summary>
    private static async Task<Results<AttendResult, TextResult, ProblemHttpResult>> AttendText(
        TextRequest request, AttendBody body, HttpContext http, AttendServices services, CancellationToken cancellationToken)
    {
        var seconds = services.Options.Value.RequestTimeoutSeconds;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        TextOutcome outcome;
        try
        {
            outcome = await services.Text.RunAsync(request, body.Reservation!, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return TimedOut(seconds).ToProblem(http);
        }
        http.Response.RegisterForDispose(outcome);
        if (outcome.Model is { } model)
        {
            services.Log.Set("Model", model);
            ModelTraffic.SetModel(http, model);
        }
        if (outcome.Backend is { } backend) services.Log.Set("Backend", backend.ToWireName());
        services.Log.Set("Shapes", $"sources {request.Sources.Count}, longest {request.Sources.Max(s => s.Length)} chars");
        return outcome.Response is { } response ? new TextResult(response) : outcome.Error!.ToProblem(http);
    }

    private static InferenceError TimedOut(int seconds) => new(InferenceErrorKind.Overloaded, "Timed out",
        $"queueing and inference took longer than {seconds} s (Attention:RequestTimeoutSeconds) and were stopped");

    /// <summary>The request's log line carries the model, the backend that answered and the shapes sent.</summary>
    private static void LogRequest(IDiagnosticContext log, AttendRequest request, AttendOutcome outcome)
    {
        if (outcome.Model is { } model) log.Set("Model", model);
        if (outcome.Backend is { } backend) log.Set("Backend", backend.ToWireName());
        log.Set("Shapes", ShapesText(request));
    }

    /// <summary>"query [1, 2, 4], values [1, 3, 4]": one string, built on the stack.</summary>
    private static string ShapesText(AttendRequest request)
    {
        var text = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[128]);
        AppendShape(ref text, "query", request.Query.Shape);
        if (request.Keys is { } keys) AppendShape(ref text, ", keys", keys.Shape);
        AppendShape(ref text, ", values", request.Values.Shape);
        if (request.Mask is { } mask) AppendShape(ref text, ", mask", mask.Shape);
        return text.ToStringAndClear();
    }

    private static void AppendShape(ref DefaultInterpolatedStringHandler text, string name, int[] shape)
    {
        text.AppendLiteral(name);
        text.AppendLiteral(" [");
        for (var axis = 0; axis < shape.Length; axis++)
        {
            if (axis > 0) text.AppendLiteral(", ");
            text.AppendFormatted(shape[axis]);
        }
        text.AppendLiteral("]");
    }
}

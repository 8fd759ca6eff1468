using System.Globalization;
using System.Runtime.CompilerServices;
using AttentionService.Contracts;
using AttentionService.Inference;
using AttentionService.Registry;
using Microsoft.AspNetCore.Http.HttpResults;
using Serilog;

namespace AttentionService.Http;

/// <summary><c>POST /attend</c>: context vectors and attention weights for a query against keys and values.</summary>
public static class AttendApi
{
    /// <summary>The request-timeout policy /attend runs under (queueing and inference).</summary>
    public const string TimeoutPolicy = "inference";

    public static IEndpointConventionBuilder MapAttendApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/attend", Attend)
            .WithName("Attend")
            .WithTags("Attention")
            .WithSummary("Run an attention model")
            .WithDescription("Scores the query against the keys (default: the values), normalises with softmax over the values axis and " +
                             "returns the weighted values (context) together with the weights. Tensors are nested arrays; a batch axis is optional.")
            .Accepts<AttendRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestTimeout(TimeoutPolicy);

    /// <summary>Dependencies of the handler.</summary>
    public sealed record AttendServices(AttendPipeline Pipeline, IDiagnosticContext Log);

    public static async Task<Results<AttendResult, ProblemHttpResult>> Attend(
        AttendBody body, HttpContext http, [AsParameters] AttendServices services, CancellationToken cancellationToken)
    {
        if (body.Error is { } error) return error.ToProblem(http);
        using var request = body.Request!;
        var outcome = await services.Pipeline.RunAsync(request, body.Reservation!, cancellationToken);
        http.Response.RegisterForDispose(outcome);
        LogRequest(services.Log, request, outcome);
        return outcome.Response is { } response ? new AttendResult(response) : outcome.Error!.ToProblem(http);
    }

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

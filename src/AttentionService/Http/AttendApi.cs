using System.IO.Pipelines;
using AttentionService.Configuration;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Hosting;
using AttentionService.Http.Contracts;
using AttentionService.Http.Json;
using AttentionService.Inference;
using AttentionService.Registry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Serilog;

namespace AttentionService.Http;

/// <summary><c>POST /attend</c>: context vectors and attention weights for a query against keys and values.</summary>
public static class AttendApi
{
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
            .WithRequestTimeout(InferenceProtection.TimeoutPolicy);

    /// <summary>Dependencies of the handler.</summary>
    public sealed record AttendServices(ModelRegistry Registry, InferenceRunner Runner, IOptions<AttentionOptions> Options, IDiagnosticContext Log);

    public static async Task<Results<Ok<AttendResponse>, ProblemHttpResult>> Attend(
        HttpContext http, [AsParameters] AttendServices services, CancellationToken cancellationToken)
    {
        var options = services.Options.Value;
        if (!http.Request.HasJsonContentType())
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                $"send the body as application/json, not '{http.Request.ContentType ?? "no content type"}'");

        if (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var mediaType)
            && mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                $"send the JSON as UTF-8; charset '{mediaType.Charset}' is not supported");

        var (parsed, error) = await ReadRequestAsync(http, options.Limits, cancellationToken);
        if (error is not null) return error.ToProblem(http);
        using var request = parsed!;

        var modelName = request.Model ?? options.DefaultModel;
        if (!services.Registry.TryGet(modelName, out var model))
            return InferenceError.ModelNotFound($"model '{ModelName.Shorten(modelName)}' not found; models are {string.Join(", ", services.Registry.Names)}").ToProblem(http);
        if (model.Signature is null)
            return InferenceError.Unavailable($"model '{modelName}' failed to load: {model.LoadError}").ToProblem(http);

        BackendKind? backend = null;
        if (request.Backend is not null)
        {
            if (!BackendNames.TryParse(request.Backend, out var kind))
                return InferenceError.BadRequest($"unknown backend '{ModelName.Shorten(request.Backend)}'; backends are {string.Join(", ", BackendNames.All)}").ToProblem(http);
            backend = kind;
        }

        var (built, inputError) = AttentionInputs.Build(modelName, model.Signature, request.Query, request.Keys, request.Values,
            request.Mask, request.Causal, options.Limits);
        if (inputError is not null) return inputError.ToProblem(http);
        using var inputs = built!;

        var outcome = await services.Runner.RunAsync(model, backend, inputs, cancellationToken);
        if (outcome.Error is not null) return outcome.Error.ToProblem(http);
        // The request's log line carries the model and the backend that answered.
        services.Log.Set("Model", modelName);
        services.Log.Set("Backend", outcome.Backend.ToWireName());
        var outputs = outcome.Outputs!;
        foreach (var output in outputs) http.Response.RegisterForDispose(output);

        var context = Output(model.Signature, outputs, AttentionTensorNames.Context, inputs.Batched);
        var weights = Output(model.Signature, outputs, AttentionTensorNames.Weights, inputs.Batched);
        if (!AllFinite(context) || !AllFinite(weights))
            return InferenceError.Unprocessable("the result is not finite: the scores overflow float32; scale the inputs down").ToProblem(http);

        return TypedResults.Ok(new AttendResponse
        {
            Model = modelName,
            Backend = outcome.Backend.ToWireName(),
            Context = context,
            Weights = weights,
        });
    }

    private static async Task<(AttendRequest?, InferenceError?)> ReadRequestAsync(HttpContext http, RequestLimits limits, CancellationToken cancellationToken)
    {
        if (http.Request.ContentLength > limits.MaxBodyBytes)
            return (null, TooLarge(http.Request.ContentLength.Value, limits));
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = limits.MaxBodyBytes;

        var body = http.Request.BodyReader;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await body.ReadAsync(cancellationToken);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return (null, TooLarge(null, limits));
            }
            var buffer = read.Buffer;
            if (buffer.Length > limits.MaxBodyBytes)
            {
                body.AdvanceTo(buffer.End);
                return (null, TooLarge(buffer.Length, limits));
            }
            if (read.IsCompleted)
            {
                try
                {
                    return AttendRequestReader.Read(buffer, limits);
                }
                finally
                {
                    body.AdvanceTo(buffer.End);
                }
            }
            // Keep everything until the body is complete: the parser reads it as one sequence, without copying.
            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static InferenceError TooLarge(long? bytes, RequestLimits limits) => InferenceError.TooLarge(
        $"the body {(bytes is { } n ? $"has {n} bytes" : "is larger than the limit")}; the limit is {limits.MaxBodyBytes} bytes (Attention:Limits:MaxBodyBytes)");

    /// <summary>The named output, without its batch axis when the request had none (a view: the output owns the buffer).</summary>
    private static Tensor Output(Core.Models.ModelSignature signature, Tensor[] outputs, string name, bool batched)
    {
        var index = 0;
        while (signature.Outputs[index].Name != name) index++;
        var tensor = outputs[index];
        return batched ? tensor : tensor.Reshape(tensor.Shape[1..]);
    }

    private static bool AllFinite(Tensor tensor)
    {
        foreach (var x in tensor.Span)
            if (!float.IsFinite(x)) return false;
        return true;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}

using System.Reflection;
using AttentionService.Configuration;
using AttentionService.Contracts;
using AttentionService.Contracts.OpenInference;
using AttentionService.Inference;
using AttentionService.Registry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Serilog;

namespace AttentionService.Http;

/// <summary>
/// The Open Inference Protocol (KServe v2) REST API beside /attend: server and model metadata, health, readiness and
/// inference, on the same registry and pipeline. Errors are the protocol's <c>{"error": "..."}</c> with the status
/// /attend gives the same fault. Models have one version, <see cref="Version"/>.
/// </summary>
public static class OpenInferenceApi
{
    /// <summary>The one version each model has (the service swaps a changed file in place rather than versioning it).</summary>
    public const string Version = "1";

    /// <summary>The platform name the protocol gives ONNX models.</summary>
    public const string Platform = "onnx_onnxv1";

    public static RouteGroupBuilder MapOpenInferenceApi(this IEndpointRouteBuilder app)
    {
        // The protocol's own OpenAPI document describes /v2 (snake_case fields, {"error"} bodies, the binary extension),
        // which the service's document, generated from these handlers' types, would get wrong.
        var group = app.MapGroup("/v2").WithTags("Open Inference Protocol").ExcludeFromDescription();
        group.MapGet("/", ServerMetadata).WithName("V2ServerMetadata").WithSummary("Server metadata (name, version, extensions)");
        group.MapGet("/health/live", Live).WithName("V2ServerLive").WithSummary("Server live");
        group.MapGet("/health/ready", Ready).WithName("V2ServerReady").WithSummary("Server ready, as /health/ready");
        foreach (var model in new[] { "/models/{name}", "/models/{name}/versions/{version}" })
        {
            group.MapGet(model, ModelMetadata).WithSummary("Model metadata");
            group.MapGet(model + "/ready", ModelReady).WithSummary("Model ready");
            group.MapPost(model + "/infer", Infer).WithSummary("Inference: JSON tensors or the binary tensor data extension")
                .WithMetadata(ModelTraffic.Endpoint.Instance);
        }
        return group;
    }

    /// <summary>Dependencies of the model handlers.</summary>
    public sealed record ModelServices(ModelRegistry Registry, IOptions<AttentionOptions> Options);

    /// <summary>The server's name and the protocol extensions it supports, on REST and gRPC.</summary>
    internal const string ServerName = "attention-service";

    internal static readonly string[] Extensions = ["binary_tensor_data"];

    public static Ok<ServerMetadataResponse> ServerMetadata() => TypedResults.Ok(new ServerMetadataResponse(ServerName, ServerVersion, Extensions));

    public static Ok<LiveResponse> Live() => TypedResults.Ok(new LiveResponse(true));

    public static async Task<JsonHttpResult<ReadyResponse>> Ready(HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(HealthApi.ReadyTag), cancellationToken);
        var ready = report.Status != HealthStatus.Unhealthy;
        return TypedResults.Json(new ReadyResponse(true, ready, report.Status.ToString()),
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    public static Results<Ok<ModelMetadataResponse>, JsonHttpResult<ErrorResponse>> ModelMetadata(
        string name, string? version, [AsParameters] ModelServices services, HttpContext http)
    {
        var (model, error) = Find(name, version, services.Registry);
        if (model is null) return error!.ToV2Error(http);
        return TypedResults.Ok(Describe(model));
    }

    /// <summary>A model's metadata as both transports answer it.</summary>
    internal static ModelMetadataResponse Describe(RegisteredModel model)
    {
        var signature = model.Signature;
        var properties = new Dictionary<string, string>
        {
            ["backends"] = string.Join(",", model.Backends.Where(b => b.IsReady).Select(b => b.Kind.ToWireName())),
        };
        if ((model.Binding?.Config?.Description ?? signature?.Description) is { Length: > 0 } description) properties["description"] = description;
        return new ModelMetadataResponse(model.Name, [Version], Platform,
            signature?.Inputs.Select(ToMetadata).ToArray() ?? [], signature?.Outputs.Select(ToMetadata).ToArray() ?? [], properties);
    }

    public static Results<JsonHttpResult<ModelReadyResponse>, JsonHttpResult<ErrorResponse>> ModelReady(
        string name, string? version, [AsParameters] ModelServices services, HttpContext http)
    {
        var (model, error) = Find(name, version, services.Registry);
        if (model is null) return error!.ToV2Error(http);
        var ready = model.IsServable(services.Options.Value.Backend);
        return TypedResults.Json(new ModelReadyResponse(model.Name, ready),
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Dependencies of the infer handler.</summary>
    public sealed record InferServices(AttendPipeline Pipeline, ModelRegistry Registry, IDiagnosticContext Log, IOptions<AttentionOptions> Options);

    public static async Task<Results<InferResult, JsonHttpResult<ErrorResponse>>> Infer(
        string name, string? version, InferBody body, [AsParameters] InferServices services, HttpContext http, CancellationToken cancellationToken)
    {
        // The path names the model: a registered one labels the request's sizes and errors even when its body is refused.
        if (services.Registry.TryGet(name, out var named)) ModelTraffic.SetModel(http, named.Name);
        if (body.Error is { } error) return error.ToV2Error(http);
        using var request = body.Request!;
        if (version is not null && version != Version) return VersionNotFound(name, version).ToV2Error(http);
        var seconds = services.Options.Value.RequestTimeoutSeconds;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        AttendOutcome outcome;
        PlannedOutput[]? planned;
        try
        {
            (outcome, planned) = await services.Pipeline.RunAsync(name, request, body.Reservation!, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return InferenceError.Overloaded($"queueing and inference took longer than {seconds} s (Attention:RequestTimeoutSeconds) and were stopped").ToV2Error(http);
        }
        http.Response.RegisterForDispose(outcome);
        // The request's log line names the model and the backend that answered, as /attend's does.
        if (outcome.Model is { } model) services.Log.Set("Model", model);
        if (outcome.Backend is { } backend) services.Log.Set("Backend", backend.ToWireName());
        if (outcome.Response is not { } response) return outcome.Error!.ToV2Error(http);
        return new InferResult(new InferResponse
        {
            ModelName = response.Model, ModelVersion = Version, Id = request.Id, Backend = response.Backend,
            Outputs = planned!.Select(o => new InferOutput(o.Name, o.Part switch
            {
                AnswerPart.Context => response.Context!.Value,
                AnswerPart.Weights => response.Weights!.Value,
                _ => response.Outputs![o.Name],
            }, o.Binary)).ToArray(),
        });
    }

    /// <summary>The model a path names, or a 404 naming the models (or the version) there are.</summary>
    internal static (RegisteredModel? Model, InferenceError? Error) Find(string name, string? version, ModelRegistry registry)
    {
        if (!registry.TryGet(name, out var model))
            return (null, InferenceError.ModelNotFound($"model '{ClientText.Shorten(name)}' not found; models are {string.Join(", ", registry.Names)}"));
        if (version is not null && version != Version) return (null, VersionNotFound(name, version));
        return (model, null);
    }

    internal static InferenceError VersionNotFound(string name, string version) => InferenceError.ModelNotFound(
        $"model '{ClientText.Shorten(name)}' has no version '{ClientText.Shorten(version)}'; its versions are {Version}");

    /// <summary>An error in the protocol's form, with the status and Retry-After /attend gives the same fault.</summary>
    internal static JsonHttpResult<ErrorResponse> ToV2Error(this InferenceError error, HttpContext http)
    {
        if (error.Kind is InferenceErrorKind.Unavailable or InferenceErrorKind.Overloaded)
            http.Response.Headers.RetryAfter = http.RequestServices.GetRequiredService<IOptions<AttentionOptions>>()
                .Value.Concurrency.RetryAfterSeconds.ToString();
        return TypedResults.Json(new ErrorResponse(error.Detail), statusCode: error.Kind.StatusCode());
    }

    internal static MetadataTensor ToMetadata(Core.Models.TensorSpec spec) => new(spec.Name, spec.Datatype, spec.Shape);

    internal static readonly string ServerVersion =
        typeof(OpenInferenceApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0";
}

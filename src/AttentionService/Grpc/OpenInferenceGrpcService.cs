using AttentionService.Configuration;
using AttentionService.Contracts;
using AttentionService.Contracts.OpenInference;
using AttentionService.Http;
using AttentionService.Inference;
using AttentionService.Registry;
using Grpc.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Serilog;
using Oip = global::Inference;

namespace AttentionService.Grpc;

/// <summary>
/// <c>inference.GRPCInferenceService</c>, the Open Inference Protocol over gRPC, served on its own HTTP/2 port
/// (<c>Attention:Exposure:GrpcPort</c>): the same metadata, readiness and inference as the REST API, through the same
/// pipeline. Errors are gRPC statuses with the detail REST would give.
/// </summary>
public sealed class OpenInferenceGrpcService(
    ModelRegistry registry, AttendPipeline pipeline, HealthCheckService health, MemoryBudget budget, IOptions<AttentionOptions> options,
    IDiagnosticContext log)
    : Oip.GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<Oip.ServerLiveResponse> ServerLive(Oip.ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new Oip.ServerLiveResponse { Live = true });

    public override async Task<Oip.ServerReadyResponse> ServerReady(Oip.ServerReadyRequest request, ServerCallContext context)
    {
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(HealthApi.ReadyTag), context.CancellationToken);
        return new Oip.ServerReadyResponse { Ready = report.Status != HealthStatus.Unhealthy };
    }

    public override Task<Oip.ModelReadyResponse> ModelReady(Oip.ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new Oip.ModelReadyResponse { Ready = Find(request.Name, request.Version).IsServable(options.Value.Backend) });

    public override Task<Oip.ServerMetadataResponse> ServerMetadata(Oip.ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new Oip.ServerMetadataResponse { Name = OpenInferenceApi.ServerName, Version = OpenInferenceApi.ServerVersion, Extensions = { OpenInferenceApi.Extensions } });

    public override Task<Oip.ModelMetadataResponse> ModelMetadata(Oip.ModelMetadataRequest request, ServerCallContext context)
    {
        var metadata = OpenInferenceApi.Describe(Find(request.Name, request.Version));
        var answer = new Oip.ModelMetadataResponse { Name = metadata.Name, Platform = metadata.Platform, Versions = { metadata.Versions } };
        foreach (var (key, value) in metadata.Properties) answer.Properties[key] = value;
        answer.Inputs.AddRange(metadata.Inputs.Select(ToMessage));
        answer.Outputs.AddRange(metadata.Outputs.Select(ToMessage));
        return Task.FromResult(answer);
    }

    public override async Task<Oip.ModelInferResponse> ModelInfer(Oip.ModelInferRequest request, ServerCallContext context)
    {
        var settings = options.Value;
        Find(request.ModelName, request.ModelVersion);
        using var reservation = new MemoryReservation(budget);
        if (reservation.ReserveBody(request.CalculateSize()) is { } noRoom) throw Failure(noRoom);
        var (infer, error) = GrpcInferRequests.Read(request, settings.Limits);
        if (error is not null) throw Failure(error);
        using (infer!)
        {
            reservation.SettleBody(infer!.TensorBytes);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(settings.RequestTimeoutSeconds));
            AttendOutcome outcome;
            PlannedOutput[]? planned;
            try
            {
                (outcome, planned) = await pipeline.RunAsync(request.ModelName, infer, reservation, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
            {
                throw Failure(InferenceError.Overloaded($"queueing and inference took longer than {settings.RequestTimeoutSeconds} s (Attention:RequestTimeoutSeconds) and were stopped"));
            }
            using (outcome)
            {
                // The call's request log line names the model and the backend that answered, as /attend's does.
                if (outcome.Model is { } model) log.Set("Model", model);
                if (outcome.Backend is { } backend) log.Set("Backend", backend.ToWireName());
                if (outcome.Response is not { } response) throw Failure(outcome.Error!);
                // The answer is copied into the message here, so the run's outputs go back to the pool on return.
                return GrpcInferRequests.Answer(new InferResponse
                {
                    ModelName = response.Model, ModelVersion = OpenInferenceApi.Version, Id = infer.Id, Backend = response.Backend,
                    Outputs = planned!.Select(o => new InferOutput(o.Name, o.Part switch
                    {
                        AnswerPart.Context => response.Context!.Value,
                        AnswerPart.Weights => response.Weights!.Value,
                        _ => response.Outputs![o.Name],
                    }, o.Binary)).ToArray(),
                });
            }
        }
    }

    /// <summary>The model a call names (version empty or 1), or NOT_FOUND naming the models or versions there are.</summary>
    private RegisteredModel Find(string name, string version)
    {
        var (model, error) = OpenInferenceApi.Find(name, version.Length == 0 ? null : version, registry);
        return model ?? throw Failure(error!);
    }

    /// <summary>The gRPC status of each fault /attend answers with an HTTP status.</summary>
    private static RpcException Failure(InferenceError error) => new(new Status(error.Kind switch
    {
        InferenceErrorKind.ModelNotFound => StatusCode.NotFound,
        InferenceErrorKind.TooLarge => StatusCode.ResourceExhausted,
        InferenceErrorKind.Unavailable or InferenceErrorKind.Overloaded => StatusCode.Unavailable,
        InferenceErrorKind.BodyTooSlow => StatusCode.DeadlineExceeded,
        _ => StatusCode.InvalidArgument,
    }, error.Detail));

    private static Oip.ModelMetadataResponse.Types.TensorMetadata ToMessage(MetadataTensor tensor) =>
        new() { Name = tensor.Name, Datatype = tensor.Datatype, Shape = { tensor.Shape } };
}

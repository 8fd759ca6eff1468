using AttentionService.Configuration;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;

namespace AttentionService.Grpc;

/// <summary>The Open Inference Protocol's gRPC service, with messages up to <c>Attention:Limits:MaxBodyBytes</c>.</summary>
public static class OpenInferenceGrpcExtensions
{
    public static IServiceCollection AddOpenInferenceGrpc(this IServiceCollection services)
    {
        services.AddGrpc();
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<AttentionOptions>>((grpc, attention) =>
        {
            grpc.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, attention.Value.Limits.MaxBodyBytes);
            grpc.MaxSendMessageSize = null;
            // Without this, gRPC's catch-all for unknown services ("/{service}/{method}") takes every two-segment path,
            // so a PUT on /health/live was a 404 instead of a 405.
            grpc.IgnoreUnknownServices = true;
        });
        return services;
    }

    /// <summary>Mapped on every port; only the gRPC port speaks the HTTP/2 without TLS that gRPC clients use.</summary>
    public static IEndpointConventionBuilder MapOpenInferenceGrpc(this IEndpointRouteBuilder app) =>
        app.MapGrpcService<OpenInferenceGrpcService>();
}

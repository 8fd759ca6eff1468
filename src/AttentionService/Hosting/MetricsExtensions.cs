using AttentionService.Inference;
using Prometheus;

namespace AttentionService.Hosting;

public static class MetricsExtensions
{
    /// <summary>This host's registry (<see cref="HostMetrics"/>) and the service's own series on it.</summary>
    public static IServiceCollection AddAttentionMetrics(this IServiceCollection services)
    {
        services.AddSingleton<HostMetrics>();
        services.AddSingleton(sp => sp.GetRequiredService<HostMetrics>().Registry);
        services.AddSingleton(sp => sp.GetRequiredService<HostMetrics>().Factory);
        services.AddSingleton<AttentionMetrics>();
        return services;
    }

    /// <summary>
    /// Requests by the status the client got (or "aborted"), latency and in-flight per endpoint (<c>http_*</c>), on this
    /// host's registry: <see cref="HttpMetricsMiddleware"/>. After routing, so the endpoint is known.
    /// </summary>
    public static WebApplication UseAttentionHttpMetrics(this WebApplication app)
    {
        app.UseMiddleware<HttpMetricsMiddleware>();
        return app;
    }

    /// <summary><c>GET /metrics</c>: this host's registry in the Prometheus text format.</summary>
    public static IEndpointConventionBuilder MapAttentionMetrics(this IEndpointRouteBuilder app) =>
        app.MapMetrics(registry: app.ServiceProvider.GetRequiredService<CollectorRegistry>());
}

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
    /// Requests by status, latency and in-flight per endpoint (<c>http_*</c>), on this host's registry. Labels come
    /// from closed sets: <c>method</c> is one of <see cref="MetricMethods"/> or "other"; <c>endpoint</c> is the matched
    /// route template or "" (prometheus-net never uses the raw path), <c>controller</c> and <c>action</c> are "".
    /// </summary>
    public static WebApplication UseAttentionHttpMetrics(this WebApplication app)
    {
        var factory = app.Services.GetRequiredService<IMetricFactory>();
        app.Use(FoldUnknownMethod);
        app.UseHttpMetrics(options => options.SetMetricFactory(factory));
        return app;
    }

    /// <summary>The HTTP methods that get their own <c>method</c> label value.</summary>
    public static readonly string[] MetricMethods = ["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"];

    public const string OtherMethod = "other";

    /// <summary>
    /// prometheus-net labels by <c>Request.Method</c> as sent, so each invented method would be a new series. Routing
    /// has already run (no endpoint takes an unknown method), so an unknown method is shown as "other" only to the
    /// metrics, and the method the client sent is put back before the request log and status pages read it.
    /// </summary>
    private static async Task FoldUnknownMethod(HttpContext http, RequestDelegate next)
    {
        var method = http.Request.Method;
        if (Array.IndexOf(MetricMethods, method) >= 0)
        {
            await next(http);
            return;
        }
        http.Request.Method = OtherMethod;
        try
        {
            await next(http);
        }
        finally
        {
            http.Request.Method = method;
        }
    }

    /// <summary><c>GET /metrics</c>: this host's registry in the Prometheus text format.</summary>
    public static IEndpointConventionBuilder MapAttentionMetrics(this IEndpointRouteBuilder app) =>
        app.MapMetrics(registry: app.ServiceProvider.GetRequiredService<CollectorRegistry>());
}

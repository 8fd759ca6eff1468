using AttentionService.Http;

namespace AttentionService.Hosting;

public static class HealthCheckExtensions
{
    /// <summary>
    /// Readiness from the models (<see cref="ModelsHealthCheck"/>) and the backends as a whole
    /// (<see cref="BackendsHealthCheck"/>), run by <c>/health/ready</c>.
    /// </summary>
    public static IServiceCollection AddModelHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ModelsHealthCheck>("models", tags: [HealthApi.ReadyTag])
            .AddCheck<BackendsHealthCheck>("backends", tags: [HealthApi.ReadyTag]);
        return services;
    }
}

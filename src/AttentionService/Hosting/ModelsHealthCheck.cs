using AttentionService.Configuration;
using AttentionService.Registry;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AttentionService.Hosting;

/// <summary>
/// Readiness, honest per model: healthy when every model can serve; degraded (still ready) when the default model
/// serves but another does not, naming it and why; unhealthy while shutting down or when the default model cannot serve.
/// Models load before Kestrel listens, so there is no loading state to report.
/// </summary>
public sealed class ModelsHealthCheck(ModelRegistry registry, ShutdownDrain shutdown, IOptions<AttentionOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (shutdown.IsDraining)
            return Task.FromResult(HealthCheckResult.Unhealthy("shutting down"));
        var policy = options.Value.Backend;
        var unavailable = registry.Models
            .Where(m => !m.IsServable(policy))
            .ToDictionary(m => m.Name, m => (object)m.UnservableReason(policy)!);
        var summary = string.Join("; ", unavailable.Select(u => $"{u.Key}: {u.Value}"));
        if (unavailable.Count == 0)
            return Task.FromResult(HealthCheckResult.Healthy($"{registry.Models.Count()} models ready"));
        if (unavailable.ContainsKey(options.Value.DefaultModel))
            return Task.FromResult(HealthCheckResult.Unhealthy($"default model unavailable: {summary}", data: unavailable));
        return Task.FromResult(HealthCheckResult.Degraded($"unavailable: {summary}", data: unavailable));
    }
}

using AttentionService.Configuration;
using AttentionService.Core.Backends;
using AttentionService.Registry;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AttentionService.Hosting;

/// <summary>
/// Readiness of the backends as a whole, beside the models': degraded (still ready) when a backend serves but not as
/// configured, e.g. <c>ExecutionProvider=Cuda</c> and ONNX Runtime on its CPU provider, with the provider's failure.
/// A backend that is not available at all (no native ONNX Runtime) under a policy that does not depend on it, as
/// <c>Auto</c>, is healthy and named with its reason: the other backend serves every model it runs, and a model it does
/// not run shows up in the models check. A policy that depends on it only does not start (<see cref="BackendAvailableValidator"/>).
/// </summary>
public sealed class BackendsHealthCheck(IEnumerable<IBackendFactory> factories) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statuses = factories.OrderBy(f => f.Kind).Select(f => (Name: f.Kind.ToWireName(), f.Status)).ToArray();
        var reported = statuses.Where(s => s.Status.Condition != BackendCondition.Available)
            .ToDictionary(s => s.Name, s => (object)s.Status.Reason!);
        var summary = string.Join("; ", statuses.Select(s => s.Status.Condition == BackendCondition.Available
            ? $"{s.Name}: available"
            : $"{s.Name}: {s.Status.Condition.ToString().ToLowerInvariant()}, {s.Status.Reason}"));
        var degraded = statuses.Any(s => s.Status.Condition == BackendCondition.Degraded);
        return Task.FromResult(degraded
            ? HealthCheckResult.Degraded(summary, data: reported)
            : HealthCheckResult.Healthy(summary, data: reported));
    }
}

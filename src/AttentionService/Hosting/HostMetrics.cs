using Prometheus;

namespace AttentionService.Hosting;

/// <summary>
/// This host's own Prometheus registry, instead of prometheus-net's process-wide default, so two hosts in one process
/// (tests) do not count each other's requests. Beside the service's and the HTTP series it carries the process and
/// runtime families a dashboard reads (<see cref="RuntimeMetrics"/>), each once, with units in their names; not
/// prometheus-net's event-counter and meter adapters, which exported the same runtime data three times as unitless
/// gauges, plus every meter in the process (msquic's, Kestrel's per-request ones), and cost each request when listening.
/// </summary>
public sealed class HostMetrics
{
    public HostMetrics()
    {
        Factory = Metrics.WithCustomRegistry(Registry);
        DotNetStats.Register(Registry);
        RuntimeMetrics.Register(Registry, Factory);
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public IMetricFactory Factory { get; }
}

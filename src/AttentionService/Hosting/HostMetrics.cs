using Prometheus;

namespace AttentionService.Hosting;

/// <summary>
/// This host's own Prometheus registry, instead of prometheus-net's process-wide default, so two hosts in one process
/// (tests) do not count each other's requests. It carries what the default registry would: process and GC stats,
/// .NET event counters and meters; the adapters stop when the host is disposed.
/// </summary>
public sealed class HostMetrics : IDisposable
{
    private readonly IDisposable[] _adapters;

    public HostMetrics()
    {
        Factory = Metrics.WithCustomRegistry(Registry);
        DotNetStats.Register(Registry);
        _adapters =
        [
            EventCounterAdapter.StartListening(new EventCounterAdapterOptions { Registry = Registry, MetricFactory = Factory }),
            MeterAdapter.StartListening(new MeterAdapterOptions { Registry = Registry, MetricFactory = Factory }),
        ];
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public IMetricFactory Factory { get; }

    public void Dispose()
    {
        foreach (var adapter in _adapters) adapter.Dispose();
    }
}

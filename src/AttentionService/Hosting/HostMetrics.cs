using Prometheus;

namespace AttentionService.Hosting;

/// <summary>
/// This host's own Prometheus registry, instead of prometheus-net's process-wide default, so two hosts in one process
/// (tests) do not count each other's requests. It carries what the default registry would: process and GC stats, and
/// .NET event counters and meters. As on the default registry, the event-counter and meter adapters start at the first
/// scrape, not at start-up: the meter adapter records every measurement of every meter, the per-request ones of
/// ASP.NET Core and Kestrel included, which costs a service that nobody scrapes for nothing (docs/performance.md). The
/// adapters stop when the host is disposed.
/// </summary>
public sealed class HostMetrics : IDisposable
{
    private readonly Lock _lock = new();
    private IDisposable[]? _adapters;
    private bool _disposed;

    public HostMetrics()
    {
        Factory = Metrics.WithCustomRegistry(Registry);
        DotNetStats.Register(Registry);
        Registry.AddBeforeCollectCallback(StartAdapters);
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public IMetricFactory Factory { get; }

    private void StartAdapters()
    {
        if (Volatile.Read(ref _adapters) is not null) return;
        lock (_lock)
        {
            if (_adapters is not null || _disposed) return;
            _adapters =
            [
                EventCounterAdapter.StartListening(new EventCounterAdapterOptions { Registry = Registry, MetricFactory = Factory }),
                MeterAdapter.StartListening(new MeterAdapterOptions { Registry = Registry, MetricFactory = Factory }),
            ];
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var adapter in _adapters ?? []) adapter.Dispose();
        }
    }
}

using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Prometheus;

namespace AttentionService.Hosting;

/// <summary>
/// Connections Kestrel closes because <c>Attention:Connections:MaxConcurrentConnections</c> is reached: counted in
/// <c>attention_connections_rejected_total</c> and logged as one warning at the first refusal and then at most one
/// summary per <see cref="ReportPeriod"/>. Kestrel's own warning for each refused connection is filtered out of the log
/// (<see cref="IsKestrelRejection"/>): a flood of connections must not become a flood of log lines.
/// Kestrel reports refusals on its <c>kestrel.rejected_connections</c> instrument, created by this host's
/// <see cref="IMeterFactory"/>; only that host's instrument is listened to, so hosts in one process do not mix.
/// </summary>
public sealed class RejectedConnections : IHostedService, IDisposable
{
    public static readonly TimeSpan ReportPeriod = TimeSpan.FromSeconds(10);

    private const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";
    private const string RejectedInstrument = "kestrel.rejected_connections";

    /// <summary>Kestrel's event for one refused connection (its <c>ConnectionRejected</c> log message).</summary>
    public const string KestrelRejectionEvent = "ConnectionRejected";

    private readonly IMeterFactory _meters;
    private readonly IOptions<KestrelServerOptions> _kestrel;
    private readonly ILogger<RejectedConnections> _logger;
    private readonly Counter _rejected;
    private readonly MeterListener _listener = new();
    private readonly Timer _timer;
    private long _unreported;
    private int _armed;

    public RejectedConnections(IMeterFactory meters, IOptions<KestrelServerOptions> kestrel, IMetricFactory metrics, ILogger<RejectedConnections> logger)
    {
        _meters = meters;
        _kestrel = kestrel;
        _logger = logger;
        _rejected = metrics.CreateCounter("attention_connections_rejected_total",
            "Connections closed at once because Attention:Connections:MaxConcurrentConnections were open.");
        _timer = new Timer(_ => Flush());
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == KestrelMeter && instrument.Name == RejectedInstrument && ReferenceEquals(instrument.Meter.Scope, _meters))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => OnRejected(value));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void OnRejected(long count)
    {
        _rejected.Inc(count);
        Interlocked.Add(ref _unreported, count);
        // The first refusal after a quiet period is reported at once; later ones wait for the timer.
        if (Interlocked.Exchange(ref _armed, 1) == 0) Flush();
    }

    private void Flush()
    {
        var count = Interlocked.Exchange(ref _unreported, 0);
        if (count == 0)
        {
            Volatile.Write(ref _armed, 0);
            // A refusal that came between the exchange and disarming would otherwise wait for the next one.
            if (Interlocked.Read(ref _unreported) > 0 && Interlocked.Exchange(ref _armed, 1) == 0) Flush();
            return;
        }
        _logger.LogWarning(
            "Refused {Count} connection(s): {Max} were open (Attention:Connections:MaxConcurrentConnections); further refusals are summed every {Seconds} s",
            count, _kestrel.Value.Limits.MaxConcurrentConnections, ReportPeriod.TotalSeconds);
        _timer.Change(ReportPeriod, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True for Kestrel's per-connection refusal warning, which this type replaces.</summary>
    public static bool IsKestrelRejection(Serilog.Events.LogEvent logEvent) =>
        logEvent.Properties.TryGetValue("EventId", out var id)
        && id is Serilog.Events.StructureValue structure
        && structure.Properties.Any(p => p.Name == "Name" && p.Value is Serilog.Events.ScalarValue { Value: KestrelRejectionEvent });

    public void Dispose()
    {
        _listener.Dispose();
        _timer.Dispose();
    }
}

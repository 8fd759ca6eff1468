using AttentionService.Configuration;
using Microsoft.Extensions.Options;

namespace AttentionService.Hosting;

/// <summary>
/// Graceful shutdown: when the host is asked to stop (SIGTERM), readiness turns false first, the service keeps
/// serving for <see cref="AttentionOptions.ShutdownDrainSeconds"/> while load balancers take it out of rotation, and
/// only then does Kestrel stop accepting connections and wait for the requests in flight.
/// </summary>
public sealed class ShutdownDrain(IHostApplicationLifetime lifetime, IOptions<AttentionOptions> options, ILogger<ShutdownDrain> logger)
    : IHostedService
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping callbacks run before the server stops, so waiting here keeps the listener open.
        lifetime.ApplicationStopping.Register(() =>
        {
            _draining = true;
            // Stopped before Kestrel listened (SIGTERM while models load): nobody to drain for.
            if (!lifetime.ApplicationStarted.IsCancellationRequested) return;
            var drain = TimeSpan.FromSeconds(options.Value.ShutdownDrainSeconds);
            logger.LogInformation("Shutting down: readiness is now false; draining for {DrainSeconds} s, then in-flight requests finish; the host gives up after {HostTimeoutSeconds} s",
                drain.TotalSeconds, ShutdownBudget.HostTimeoutSeconds(options.Value));
            Thread.Sleep(drain);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

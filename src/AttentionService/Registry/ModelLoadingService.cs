namespace AttentionService.Registry;

/// <summary>
/// Loads every model when the host starts, so sessions exist before the first request, not on it. The host cancels
/// the start on SIGTERM, which stops the loading between (and during) file reads, so a stop is never held up by it.
/// </summary>
public sealed class ModelLoadingService(ModelRegistry registry, ILogger<ModelLoadingService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await registry.LoadAllAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Asked to stop while loading: the host stops next, with no model to serve and no stack trace.
            logger.LogInformation("Start-up stopped while loading models");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

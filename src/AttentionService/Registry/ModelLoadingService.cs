namespace AttentionService.Registry;

/// <summary>Loads every model when the host starts, so sessions exist before the first request, not on it.</summary>
public sealed class ModelLoadingService(ModelRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        registry.LoadAll();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using System.Collections.Concurrent;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// One container per image for all the tests of a class (an xunit class fixture), started on first use and waited on
/// until the engine reports the image's health check healthy (or the container died).
/// </summary>
public sealed class RunningImages : IAsyncLifetime
{
    /// <summary>The memory limit the containers run under (<c>docker run --memory</c>, no swap beyond it).</summary>
    public const long MemoryLimitBytes = 256L * 1024 * 1024;

    public static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(120);

    private readonly ConcurrentDictionary<string, Lazy<Task<(DockerContainer Container, string Health)>>> _started = new();

    public Task<(DockerContainer Container, string Health)> GetAsync(string image) =>
        _started.GetOrAdd(image, name => new(() => StartAsync(name))).Value;

    public static async Task<(DockerContainer Container, string Health)> StartAsync(string image)
    {
        var container = DockerContainer.Run(image, MemoryLimitBytes);
        return (container, await container.WaitForHealthAsync(HealthTimeout));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var started in _started.Values.Where(s => s.IsValueCreated))
        {
            try
            {
                await (await started.Value).Container.DisposeAsync();
            }
            catch (Exception) when (started.Value.IsFaulted)
            {
                // It never started; there is nothing to remove.
            }
        }
    }
}

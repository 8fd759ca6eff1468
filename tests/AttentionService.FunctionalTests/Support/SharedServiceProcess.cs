namespace AttentionService.Tests.Support;

/// <summary>One <see cref="ServiceProcess"/> with the bundled models for all the tests of a class (an xunit class fixture).</summary>
public sealed class SharedServiceProcess : IAsyncLifetime
{
    private ServiceProcess? _service;

    public ServiceProcess Service => _service ?? throw new InvalidOperationException("the service has not started");

    public async Task InitializeAsync() => _service = await ServiceProcess.StartAsync(AppContext.BaseDirectory);

    public async Task DisposeAsync()
    {
        if (_service is not null) await _service.DisposeAsync();
    }
}

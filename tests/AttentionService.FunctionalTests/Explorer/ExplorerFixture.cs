using AttentionService.Tests.Support;
using Microsoft.Playwright;

namespace AttentionService.Tests.Explorer;

/// <summary>
/// One service process with the bundled models and one Chromium for the tests of a class. Both start on first use,
/// so a class whose tests are all skipped (no chromium) starts neither.
/// </summary>
public sealed class ExplorerFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private ServiceProcess? _service;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task<ServiceProcess> ServiceAsync()
    {
        await StartAsync();
        return _service!;
    }

    /// <summary>Opens the explorer at <paramref name="relative"/> (e.g. <c>explore?model=dates</c>) on the service.</summary>
    public async Task<ExplorerPage> OpenAsync(string relative = "explore")
    {
        await StartAsync();
        return await ExplorerPage.OpenAsync(_browser!, new Uri(_service!.Client.BaseAddress!, relative));
    }

    /// <summary>Opens the explorer at an absolute address, e.g. through a proxy.</summary>
    public async Task<ExplorerPage> OpenAsync(Uri url)
    {
        await StartAsync();
        return await ExplorerPage.OpenAsync(_browser!, url);
    }

    private async Task StartAsync()
    {
        await _starting.WaitAsync();
        try
        {
            _service ??= await ServiceProcess.StartAsync(AppContext.BaseDirectory);
            _playwright ??= await Playwright.CreateAsync();
            _browser ??= await Support.Chromium.LaunchAsync(_playwright);
        }
        finally
        {
            _starting.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_service is not null) await _service.DisposeAsync();
        _starting.Dispose();
    }
}

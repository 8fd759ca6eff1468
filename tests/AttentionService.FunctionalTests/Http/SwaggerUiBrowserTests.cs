using AttentionService.Tests.Support;
using Microsoft.Playwright;

namespace AttentionService.Tests.Http;

/// <summary>
/// Swagger UI in a real browser (Debian's Chromium) against the real process: "Try it out" on /attend answers, under
/// the service's Content-Security-Policy without a single violation, on the public port and on the management port.
/// </summary>
public sealed class SwaggerUiBrowserTests
{
    [RequiresExecutableFact("chromium")]
    public async Task TryingTheAttendExampleInSwaggerUiReturnsContextAndWeights()
    {
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory);

        await TryTheAttendExampleAsync(service.Client.BaseAddress!);
    }

    [RequiresExecutableFact("chromium")]
    public async Task SwaggerUiOnTheManagementPortTriesTheApiThere()
    {
        var managementPort = ServiceProcess.FreePort();
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory,
            "--Attention:Exposure:Swagger=Management", $"--Attention:Exposure:ManagementPort={managementPort}");
        await service.WaitForOutputAsync($"Now listening on: http://127.0.0.1:{managementPort}", TimeSpan.FromSeconds(30));

        await TryTheAttendExampleAsync(new Uri($"http://127.0.0.1:{managementPort}"));
    }

    private static async Task TryTheAttendExampleAsync(Uri baseAddress)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var violations = Chromium.WatchPolicyViolations(page);

        await page.GotoAsync(new Uri(baseAddress, "/swagger/index.html").ToString());
        var attend = page.Locator("#operations-Attention-Attend");
        await attend.Locator(".opblock-summary").ClickAsync();
        await attend.Locator("button.try-out__btn").ClickAsync();
        await attend.Locator("button.execute").ClickAsync();
        var status = attend.Locator(".live-responses-table .response .response-col_status");
        await status.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

        Assert.Equal("200", (await status.InnerTextAsync()).Trim());
        var body = await attend.Locator(".live-responses-table .response-col_description pre").First.InnerTextAsync();
        Assert.Contains("\"context\"", body);
        Assert.Contains("\"weights\"", body);
        // The example is a decoder step, which Auto serves from the managed backend.
        Assert.Contains("\"backend\": \"managed\"", body);
        lock (violations) Assert.True(violations.Count == 0, string.Join('\n', violations));
    }
}

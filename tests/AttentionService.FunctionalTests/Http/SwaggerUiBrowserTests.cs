using AttentionService.Tests.Support;
using Microsoft.Playwright;

namespace AttentionService.Tests.Http;

/// <summary>Swagger UI in a real browser (Debian's Chromium) against the real process: "Try it out" on /attend answers.</summary>
public sealed class SwaggerUiBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [RequiresExecutableFact("chromium")]
    public async Task TryingTheAttendExampleInSwaggerUiReturnsContextAndWeights()
    {
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // The machine's network is closed: no background or component traffic, no sandbox as root.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync();

        await page.GotoAsync(new Uri(service.Client.BaseAddress!, "/swagger/index.html").ToString());
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
    }
}

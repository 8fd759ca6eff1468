using Microsoft.Playwright;

namespace AttentionService.Tests.Support;

/// <summary>
/// Debian's Chromium, driven by Playwright, for the pages the service serves (Swagger UI, the attention explorer).
/// Tests that use it are <c>[RequiresExecutableFact("chromium")]</c>, so they are skipped, saying so, without it.
/// </summary>
public static class Chromium
{
    public const string Executable = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Executable,
        Headless = true,
        // The machine's network is closed: no background or component traffic, no sandbox as root.
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
    });

    /// <summary>
    /// Collects what the page's Content-Security-Policy blocks: Chromium reports each blocked resource or inline code
    /// as a console error.
    /// </summary>
    public static List<string> WatchPolicyViolations(IPage page)
    {
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) lock (violations) violations.Add(message.Text);
        };
        return violations;
    }
}

using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace AttentionService.Tests.Explorer;

/// <summary>One heatmap cell as the page draws it: row (output step or query), column (source or key), weight, head (-1: none).</summary>
public sealed record HeatmapCell(int Step, int Source, double Weight, int Head);

/// <summary>What the page shows after Attend.</summary>
public sealed record ExplorerAnswer(string Output, string Backend, IReadOnlyList<HeatmapCell> Cells);

/// <summary>
/// The attention explorer open in its own browser context, offline: every request to a host other than loopback is
/// aborted and recorded, as are Content-Security-Policy violations and script errors, for
/// <see cref="AssertOfflineAndWithinPolicy"/>. Waits on the page's own signals (<c>data-models</c>, <c>data-run</c>,
/// <c>data-state</c>), never on time.
/// </summary>
public sealed class ExplorerPage : IAsyncDisposable
{
    private const float Timeout = 60_000;

    private readonly IBrowserContext _context;
    private readonly List<string> _external = [];
    private readonly List<string> _errors = [];
    private List<string> _violations = [];

    private ExplorerPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    /// <summary>Opens <paramref name="url"/> and waits until the page has listed the models.</summary>
    public static async Task<ExplorerPage> OpenAsync(IBrowser browser, Uri url)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1100, Height = 900 },
        });
        var page = await context.NewPageAsync();
        var explorer = new ExplorerPage(context, page);
        await context.RouteAsync("**/*", explorer.GuardAsync);
        explorer._violations = Support.Chromium.WatchPolicyViolations(page);
        page.PageError += (_, error) =>
        {
            lock (explorer._errors) explorer._errors.Add(error);
        };
        page.SetDefaultTimeout(Timeout);

        await page.GotoAsync(url.ToString());
        await page.Locator("body[data-models]").WaitForAsync();
        Assert.Equal("loaded", await page.Locator("body").GetAttributeAsync("data-models"));
        return explorer;
    }

    /// <summary>Loopback goes through; anything else is what an offline machine could not reach.</summary>
    private Task GuardAsync(IRoute route)
    {
        var url = new Uri(route.Request.Url);
        if (url.IsLoopback || url.Scheme is "data" or "blob") return route.ContinueAsync();
        lock (_external) _external.Add(route.Request.Url);
        return route.AbortAsync();
    }

    public void AssertOfflineAndWithinPolicy()
    {
        lock (_external) Assert.True(_external.Count == 0, "requests beyond loopback:\n" + string.Join('\n', _external));
        lock (_violations) Assert.True(_violations.Count == 0, "Content-Security-Policy violations:\n" + string.Join('\n', _violations));
        lock (_errors) Assert.True(_errors.Count == 0, "script errors:\n" + string.Join('\n', _errors));
    }

    public async Task SelectModelAsync(string model)
    {
        await Page.SelectOptionAsync("#model", model);
        Assert.Equal(model, await Page.InputValueAsync("#model"));
    }

    /// <summary>"" (auto), "onnx" or "managed".</summary>
    public Task SelectBackendAsync(string backend) => Page.SelectOptionAsync("#backend", backend);

    /// <summary>Types <paramref name="source"/> for a seq2seq model and runs it.</summary>
    public async Task<ExplorerAnswer> AttendTextAsync(string source)
    {
        await Page.FillAsync("#source", source);
        return await AttendAsync("#run-text");
    }

    /// <summary>Runs the tensors in the form (a layer model).</summary>
    public Task<ExplorerAnswer> AttendTensorsAsync() => AttendAsync("#run-tensors");

    /// <summary>Sets the sizes of the random tensors and generates them.</summary>
    public async Task GenerateAsync(int tq, int tv, int? d = null, int seed = 1)
    {
        await Page.FillAsync("#tq", tq.ToString());
        await Page.FillAsync("#tv", tv.ToString());
        if (d is { } size) await Page.FillAsync("#d", size.ToString());
        await Page.FillAsync("#seed", seed.ToString());
        await Page.ClickAsync("#generate");
    }

    /// <summary>The query, keys and values in the form, as the page will send them.</summary>
    public async Task<(JsonNode Query, JsonNode Keys, JsonNode Values)> TensorsAsync() => (
        JsonNode.Parse(await Page.InputValueAsync("#query"))!,
        JsonNode.Parse(await Page.InputValueAsync("#keys"))!,
        JsonNode.Parse(await Page.InputValueAsync("#values"))!);

    private async Task<ExplorerAnswer> AttendAsync(string button)
    {
        var run = int.Parse((await Page.Locator("#result").GetAttributeAsync("data-run"))!) + 1;
        await Page.ClickAsync(button);
        var result = Page.Locator($"#result[data-run='{run}']:is([data-state='done'], [data-state='error'])");
        await result.WaitForAsync();
        if (await result.GetAttributeAsync("data-state") == "error")
            Assert.Fail($"the page reported an error: {await Page.InnerTextAsync("#status")}");
        return new ExplorerAnswer(
            (await Page.InnerTextAsync("#output")).Trim(),
            (await Page.InnerTextAsync("#answered-by")).Trim(),
            await CellsAsync());
    }

    /// <summary>Runs and returns the error the page shows.</summary>
    public async Task<string> AttendExpectingErrorAsync(string button)
    {
        var run = int.Parse((await Page.Locator("#result").GetAttributeAsync("data-run"))!) + 1;
        await Page.ClickAsync(button);
        await Page.Locator($"#result[data-run='{run}']:is([data-state='done'], [data-state='error'])").WaitForAsync();
        Assert.Equal("error", await Page.Locator("#result").GetAttributeAsync("data-state"));
        return await Page.InnerTextAsync("#status");
    }

    public async Task<IReadOnlyList<HeatmapCell>> CellsAsync()
    {
        var cells = await Page.EvalOnSelectorAllAsync<double[][]>("#heatmap rect.cell",
            "cells => cells.map(c => [+c.dataset.step, +c.dataset.source, +c.dataset.weight, c.dataset.head === undefined ? -1 : +c.dataset.head])");
        return cells.Select(c => new HeatmapCell((int)c[0], (int)c[1], c[2], (int)c[3])).ToArray();
    }

    /// <summary>The text of the heatmap's axis labels and titles.</summary>
    public Task<string[]> HeatmapTextsAsync() =>
        Page.EvalOnSelectorAllAsync<string[]>("#heatmap svg text", "texts => texts.map(t => t.textContent)");

    /// <summary>Presses a save button and returns the file the browser downloads, and its suggested name.</summary>
    public async Task<(string Name, byte[] Content)> SaveAsync(string button)
    {
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.ClickAsync(button));
        var path = await download.PathAsync();
        return (download.SuggestedFilename, await File.ReadAllBytesAsync(path));
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}

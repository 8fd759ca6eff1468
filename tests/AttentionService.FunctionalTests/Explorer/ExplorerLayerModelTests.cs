using System.Buffers.Binary;
using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Explorer;

/// <summary>
/// The explorer in Chromium with the layer models: generated tensors drawn as tq × tv cells holding the weights the
/// service answers, on either backend, per head or averaged, with token labels; saved as SVG and PNG; behind a
/// reverse proxy's path prefix. Every page runs offline (no request beyond loopback) and within its policy.
/// </summary>
public sealed class ExplorerLayerModelTests(ExplorerFixture explorer) : IClassFixture<ExplorerFixture>
{
    [RequiresExecutableFact("chromium")]
    public async Task GeneratedTensorsAreDrawnAsTqByTvCellsHoldingTheWeightsTheServiceAnswers()
    {
        await using var page = await explorer.OpenAsync("explore?model=scaled-dot");
        await page.GenerateAsync(tq: 3, tv: 5, d: 8);

        var answer = await page.AttendTensorsAsync();

        Assert.Equal(15, answer.Cells.Count);
        Assert.Equal([0, 1, 2], answer.Cells.Select(c => c.Step).Distinct().Order());
        Assert.Equal([0, 1, 2, 3, 4], answer.Cells.Select(c => c.Source).Distinct().Order());
        var expected = await WeightsFromTheServiceAsync("scaled-dot", await page.TensorsAsync(), backend: answer.Backend);
        foreach (var cell in answer.Cells) Assert.Equal(expected[cell.Step]![cell.Source]!.GetValue<double>(), cell.Weight, 1e-6);
        foreach (var row in answer.Cells.GroupBy(c => c.Step)) Assert.Equal(1, row.Sum(c => c.Weight), 1e-5);

        // The value on hover: the cell's title (the browser's tooltip) and the line under the heatmap.
        var hovered = page.Page.Locator("#heatmap rect.cell[data-step='1'][data-source='2']");
        await hovered.HoverAsync();
        var weight = await hovered.GetAttributeAsync("data-weight");
        Assert.Contains(weight!, await page.Page.InnerTextAsync("#hover"));
        Assert.Contains(weight!, await hovered.Locator("title").TextContentAsync());
        page.AssertOfflineAndWithinPolicy();
    }

    [RequiresExecutableFact("chromium")]
    public async Task BothBackendsDrawTheSameWeightsAndThePageSaysWhichAnswered()
    {
        await using var page = await explorer.OpenAsync("explore?model=bahdanau");
        // bahdanau takes d = 64, which the page fixes.
        Assert.Equal("64", await page.Page.InputValueAsync("#d"));
        await page.GenerateAsync(tq: 4, tv: 6);

        await page.SelectBackendAsync("onnx");
        var onnx = await page.AttendTensorsAsync();
        await page.SelectBackendAsync("managed");
        var managed = await page.AttendTensorsAsync();

        Assert.Equal("onnx", onnx.Backend);
        Assert.Equal("managed", managed.Backend);
        Assert.Equal(24, onnx.Cells.Count);
        Assert.Equal(onnx.Cells.Select(c => (c.Step, c.Source)), managed.Cells.Select(c => (c.Step, c.Source)));
        for (var i = 0; i < onnx.Cells.Count; i++) Assert.Equal(onnx.Cells[i].Weight, managed.Cells[i].Weight, 1e-5);
        Assert.EndsWith("ms (round trip)", await page.Page.InnerTextAsync("#elapsed"));
        page.AssertOfflineAndWithinPolicy();
    }

    [RequiresExecutableFact("chromium")]
    public async Task AMultiHeadModelIsDrawnOnePanelPerHead()
    {
        await using var page = await explorer.OpenAsync("explore?model=multihead");
        Assert.True(await page.Page.IsVisibleAsync("#heads"), "the heads choice is shown for a multi-head model");
        await page.GenerateAsync(tq: 3, tv: 4);

        var each = await page.AttendTensorsAsync();

        Assert.Equal(4 * 3 * 4, each.Cells.Count);
        Assert.Equal([0, 1, 2, 3], each.Cells.Select(c => c.Head).Distinct().Order());
        var expected = await WeightsFromTheServiceAsync("multihead", await page.TensorsAsync(), backend: each.Backend);
        foreach (var cell in each.Cells) Assert.Equal(expected[cell.Head]![cell.Step]![cell.Source]!.GetValue<double>(), cell.Weight, 1e-6);
        Assert.Contains("head 4", await page.HeatmapTextsAsync());
        page.AssertOfflineAndWithinPolicy();
    }

    [RequiresExecutableFact("chromium")]
    public async Task AveragingTheHeadsDrawsOneHeatmapOfTheMeanOfTheHeads()
    {
        await using var page = await explorer.OpenAsync("explore?model=multihead");
        await page.GenerateAsync(tq: 3, tv: 4);
        await page.SelectBackendAsync("managed");
        var each = await page.AttendTensorsAsync();

        await page.Page.SelectOptionAsync("#heads", "average");
        var average = await page.AttendTensorsAsync();

        Assert.Equal(3 * 4, average.Cells.Count);
        Assert.All(average.Cells, c => Assert.Equal(-1, c.Head));
        foreach (var cell in average.Cells)
        {
            var mean = each.Cells.Where(c => c.Step == cell.Step && c.Source == cell.Source).Average(c => c.Weight);
            Assert.Equal(mean, cell.Weight, 1e-5);
        }
        Assert.Contains("average over heads", await page.HeatmapTextsAsync());
        page.AssertOfflineAndWithinPolicy();
    }

    [RequiresExecutableFact("chromium")]
    public async Task TokenLabelsNameTheRowsAndColumnsAndAMismatchIsTheServicesError()
    {
        await using var page = await explorer.OpenAsync("explore?model=luong-dot");
        await page.GenerateAsync(tq: 3, tv: 4, d: 6);
        await page.Page.FillAsync("#query-tokens", "le, chat, dort");
        await page.Page.FillAsync("#key-tokens", "the, cat, sleeps, well");

        var answer = await page.AttendTensorsAsync();

        Assert.Equal(12, answer.Cells.Count);
        var texts = await page.HeatmapTextsAsync();
        foreach (var label in new[] { "le", "chat", "dort", "the", "cat", "sleeps", "well" }) Assert.Contains(label, texts);

        await page.Page.FillAsync("#key-tokens", "the, cat");
        var error = await page.AttendExpectingErrorAsync("#run-tensors");
        Assert.StartsWith("400", error);
        Assert.Contains("tokens", error);
        page.AssertOfflineAndWithinPolicy();
    }

    [RequiresExecutableFact("chromium")]
    public async Task TheHeatmapSavesAsAnSvgOfItsCellsAndAPngTwiceItsSize()
    {
        await using var page = await explorer.OpenAsync("explore?model=scaled-dot");
        await page.GenerateAsync(tq: 3, tv: 5, d: 8);
        await page.AttendTensorsAsync();

        var (svgName, svgBytes) = await page.SaveAsync("#save-svg");
        var (pngName, png) = await page.SaveAsync("#save-png");

        Assert.Equal("attention-scaled-dot.svg", svgName);
        var svg = XDocument.Parse(System.Text.Encoding.UTF8.GetString(svgBytes)).Root!;
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Name);
        Assert.Equal(15, svg.Descendants(ns + "rect").Count(r => (string?)r.Attribute("class") == "cell"));

        Assert.Equal("attention-scaled-dot.png", pngName);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(2 * int.Parse((string)svg.Attribute("width")!), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(2 * int.Parse((string)svg.Attribute("height")!), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.True(png.Length > 2_000, $"a PNG of {png.Length} bytes is too small to hold the heatmap");
        page.AssertOfflineAndWithinPolicy();
    }

    [RequiresExecutableFact("chromium")]
    public async Task BehindAReverseProxyPathPrefixThePageAndItsRequestsStayUnderThePrefix()
    {
        var service = await explorer.ServiceAsync();
        await using var proxy = await PathPrefixProxy.StartAsync(service.Client.BaseAddress!, "/prefix");
        // With a trailing slash, as a user may type it: redirected to the page itself, still under the prefix.
        await using var page = await explorer.OpenAsync(new Uri(proxy.Address, "explore/?model=scaled-dot"));
        Assert.StartsWith(new Uri(proxy.Address, "explore?").ToString(), page.Page.Url);
        await page.GenerateAsync(tq: 2, tv: 3, d: 4);

        var answer = await page.AttendTensorsAsync();

        Assert.Equal(6, answer.Cells.Count);
        Assert.All(proxy.Paths, path => Assert.StartsWith("/prefix/", path));
        Assert.Contains("/prefix/models", proxy.Paths);
        Assert.Contains("/prefix/attend", proxy.Paths);
        Assert.Contains("/prefix/explore/explore.js", proxy.Paths);
        page.AssertOfflineAndWithinPolicy();
    }

    /// <summary>The weights for the page's tensors, asked of the service directly, on the backend that answered the page.</summary>
    private async Task<JsonNode> WeightsFromTheServiceAsync(string model, (JsonNode Query, JsonNode Keys, JsonNode Values) tensors, string backend)
    {
        var service = await explorer.ServiceAsync();
        var response = await service.Client.PostAttendAsync(new JsonObject
        {
            ["model"] = model, ["query"] = tensors.Query, ["keys"] = tensors.Keys, ["values"] = tensors.Values, ["backend"] = backend,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadObjectAsync())["weights"]!;
    }
}

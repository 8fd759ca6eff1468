using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Explorer;

/// <summary>
/// The explorer in Chromium with the trained seq2seq model <c>dates</c>: a typed date is answered in ISO form, the
/// heatmap has one cell per output step and source character, and each digit of the year is written while looking at
/// that digit in the source; both backends draw the same. Also takes the README's screenshot.
/// </summary>
public sealed class ExplorerDatesTests(ExplorerFixture explorer) : IClassFixture<ExplorerFixture>
{
    /// <summary>Set to 1 to (re)write docs/images/explore.png from the real page.</summary>
    private const string UpdateScreenshot = "ATTENTION_UPDATE_SCREENSHOT";

    private static readonly string Screenshot = Path.Combine(RepoPaths.Root, "docs", "images", "explore.png");

    [RequiresExecutableTheory("chromium")]
    [InlineData("24 November 2026", "2026-11-24", 12)]
    [InlineData("2026/11/24", "2026-11-24", 0)]
    [InlineData("tuesday 24 nov 2026", "2026-11-24", 15)]
    public async Task ATypedDateIsAnsweredInIsoFormWithEachYearDigitLookingAtItsSourceDigit(string source, string expected, int yearAt)
    {
        await using var page = await explorer.OpenAsync("explore?model=dates");
        Assert.True(await page.Page.IsVisibleAsync("#source"), "a seq2seq model takes text");

        var answer = await page.AttendTextAsync(source);

        Assert.Equal(expected, answer.Output);
        var steps = (await TextAnswerAsync(source, answer.Backend))["weights"]!.AsArray().Count;
        Assert.True(steps > expected.Length - 1, $"{steps} steps for '{expected}'");
        Assert.Equal(steps * source.Length, answer.Cells.Count);
        Assert.Equal(Enumerable.Range(0, steps), answer.Cells.Select(c => c.Step).Distinct().Order());
        Assert.Equal(Enumerable.Range(0, source.Length), answer.Cells.Select(c => c.Source).Distinct().Order());
        for (var digit = 0; digit < 4; digit++)
        {
            var brightest = answer.Cells.Where(c => c.Step == digit).MaxBy(c => c.Weight)!;
            Assert.True(brightest.Source == yearAt + digit,
                $"output '{expected[digit]}' (step {digit}) looks most at source {brightest.Source} ('{source[brightest.Source]}'), not {yearAt + digit} ('{source[yearAt + digit]}')");
        }
        // The source characters (as the model reads them: lowercased, a space shown as ␣) label one axis, the output
        // characters the other.
        var texts = await page.HeatmapTextsAsync();
        foreach (var c in source.ToLowerInvariant()) Assert.Contains(c == ' ' ? "␣" : c.ToString(), texts);
        Assert.Contains("-", texts);
        page.AssertOfflineAndWithinPolicy();
    }

    [RequiresExecutableFact("chromium")]
    public async Task BothBackendsWriteTheSameDateAndDrawTheSameWeights()
    {
        await using var page = await explorer.OpenAsync("explore?model=dates");

        await page.SelectBackendAsync("onnx");
        var onnx = await page.AttendTextAsync("Nov 24, '26");
        await page.SelectBackendAsync("managed");
        var managed = await page.AttendTextAsync("Nov 24, '26");

        Assert.Equal(("onnx", "managed"), (onnx.Backend, managed.Backend));
        Assert.Equal("2026-11-24", onnx.Output);
        Assert.Equal(onnx.Output, managed.Output);
        Assert.Equal(onnx.Cells.Count, managed.Cells.Count);
        for (var i = 0; i < onnx.Cells.Count; i++) Assert.Equal(onnx.Cells[i].Weight, managed.Cells[i].Weight, 1e-5);
        page.AssertOfflineAndWithinPolicy();
    }

    [RequiresExecutableFact("chromium")]
    public async Task TheReadmeShowsAScreenshotOfThePageWithTheDatesModel()
    {
        await using var page = await explorer.OpenAsync("explore?model=dates");
        await page.AttendTextAsync("24 November 2026");

        var shot = await page.Page.ScreenshotAsync(new() { FullPage = true });

        if (Environment.GetEnvironmentVariable(UpdateScreenshot) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Screenshot)!);
            await File.WriteAllBytesAsync(Screenshot, shot);
        }
        Assert.True(File.Exists(Screenshot), $"{Screenshot} is missing; run this test with {UpdateScreenshot}=1 to take it");
        Assert.Equal(shot[..8], (await File.ReadAllBytesAsync(Screenshot))[..8]);
        Assert.Contains("](docs/images/explore.png)", await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "README.md")));
        page.AssertOfflineAndWithinPolicy();
    }

    private async Task<JsonObject> TextAnswerAsync(string source, string backend)
    {
        var service = await explorer.ServiceAsync();
        var response = await service.Client.PostAttendAsync(new JsonObject { ["model"] = "dates", ["source"] = source, ["backend"] = backend });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadObjectAsync();
    }
}

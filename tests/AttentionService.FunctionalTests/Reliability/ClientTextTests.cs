using System.Net;
using System.Text.RegularExpressions;
using AttentionService.Contracts;
using AttentionService.Hosting;
using AttentionService.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace AttentionService.Tests.Reliability;

/// <summary>
/// What a client sends reaches the text log escaped and cut, error details cut to 64 characters, and /metrics only
/// through labels from a closed set.
/// </summary>
public sealed partial class ClientTextTests
{
    [Fact]
    public async Task ControlCharactersInThePathAreEscapedOnOneTextLogLine()
    {
        var events = new CapturedLogEvents();
        using var factory = new AttentionServiceFactory { ConfigureTestServices = services => services.AddSingleton<ILogEventSink>(events) };

        await factory.CreateClient().GetAsync("/x%0AHTTP%20GET%20/forged%1B[31m%C2%9B");

        var logEvent = await events.RequestAsync("GET", "/x\nHTTP GET /forged\u001b[31m\u009b", 404);
        using var text = new StringWriter();
        new EscapingTextFormatter(LoggingExtensions.TextTemplate).Format(logEvent, text);
        var line = text.ToString();
        Assert.Equal(1, line.Count(c => c == '\n'));
        Assert.EndsWith(Environment.NewLine, line);
        Assert.Contains(@"HTTP GET /x\nHTTP GET /forged\x1b[31m\x9b responded 404", line);
        Assert.DoesNotContain('\u001b', line);
    }

    [Fact]
    public void LoggedTextIsCutAndItsBackslashesCannotPassForEscapes()
    {
        Assert.Equal(@"a\\nb\r\t\x00\x7f", ClientText.Escape("a\\nb\r\t\0\x7f"));
        Assert.Equal(new string('p', ClientText.MaxLogged) + "…", ClientText.Escape(new string('p', 100_000)));
        Assert.Equal("plain /path", ClientText.Escape("plain /path"));
    }

    [Fact]
    public async Task RandomMethodNamesAddOneMethodLabelValueAtMost()
    {
        using var factory = new AttentionServiceFactory();
        var client = factory.CreateClient();
        var before = MethodLabels(await client.GetStringAsync("/metrics"));

        var random = new Random(11);
        for (var i = 0; i < 1000; i++)
        {
            var method = new string(Enumerable.Range(0, random.Next(3, 12)).Select(_ => (char)random.Next('A', 'Z' + 1)).ToArray());
            await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), i % 2 == 0 ? "/attend" : $"/random/{i}"));
        }
        var metrics = await client.GetStringAsync("/metrics");

        var added = MethodLabels(metrics).Except(before).ToList();
        Assert.True(added.Count <= 2, $"new method labels: {string.Join(", ", added)}");
        Assert.All(added, m => Assert.Contains(m, new[] { "other", "GET" }));
        Assert.Contains("method=\"other\"", metrics);
        Assert.DoesNotContain("/random/", metrics);
        Assert.True(Regex.Matches(metrics, "^http_requests_received_total", RegexOptions.Multiline).Count < 20);
    }

    [Fact]
    public async Task AHugeUnknownPropertyNameIsCutInTheDetail()
    {
        using var factory = new AttentionServiceFactory();
        var name = new string('p', 100_000);

        var response = await factory.CreateClient().PostRawAsync($$"""{"query": [[1, 2]], "values": [[1, 2]], "{{name}}": 1}""");

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, $"unknown property '{name[..ClientText.MaxEchoedName]}…'; properties are");
        Assert.True((await response.Content.ReadAsStringAsync()).Length < 1000);
    }

    [Fact]
    public async Task AHugeModelNameInTheUrlIsCutInThe404()
    {
        using var factory = new AttentionServiceFactory();
        var name = new string('m', 6000);

        var response = await factory.CreateClient().GetAsync($"/models/{name}");

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, $"model '{name[..64]}…' not found");
        Assert.True((await response.Content.ReadAsStringAsync()).Length < 1000);
    }

    [Fact]
    public async Task AHugeOutputNameIsCutInTheDetail()
    {
        using var factory = new AttentionServiceFactory();
        var name = new string('o', 6000);

        var response = await factory.CreateClient().PostRawAsync($$"""{"query": [[1, 2]], "values": [[1, 2]], "outputs": ["{{name}}"]}""");

        Assert.Contains($"'{name[..64]}…'", await response.Content.ReadAsStringAsync());
        Assert.True((await response.Content.ReadAsStringAsync()).Length < 1000);
    }

    private static HashSet<string> MethodLabels(string metrics) =>
        MethodLabel().Matches(metrics).Select(m => m.Groups[1].Value).ToHashSet();

    [GeneratedRegex("^http_[a-z_]+\\{[^}]*method=\"([^\"]*)\"", RegexOptions.Multiline)]
    private static partial Regex MethodLabel();
}

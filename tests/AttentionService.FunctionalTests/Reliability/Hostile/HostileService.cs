using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// The real service in its own process (<see cref="ServiceProcess"/>) under attack, with what each attack is checked
/// against: its log since a mark, and its <c>/metrics</c> series, polled until they say what is expected or a deadline
/// passes (a request is counted when it ends, which can be after the client has seen the connection close).
/// </summary>
public sealed class HostileService : IAsyncDisposable
{
    /// <summary>A small /attend request that luong-dot answers.</summary>
    public const string SmallBody = """{"query": [[1, 2]], "values": [[1, 2], [3, 4]]}""";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly ServiceProcess _process;

    private HostileService(ServiceProcess process) => _process = process;

    public static async Task<HostileService> StartAsync(params string[] settings) =>
        new(await ServiceProcess.StartAsync(AppContext.BaseDirectory, settings));

    public int Port => _process.Client.BaseAddress!.Port;

    public HttpClient Client => _process.Client;

    /// <summary>Where the log stands now; <see cref="LogSince"/> returns what was printed after it.</summary>
    public int LogMark() => _process.Output.Length;

    public string LogSince(int mark) => _process.Output[mark..];

    /// <summary>Waits until a line printed after <paramref name="mark"/> matches <paramref name="pattern"/>, and returns it.</summary>
    public async Task<string> WaitForLogLineAsync(int mark, string pattern)
    {
        var regex = new Regex(pattern);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var line = LogSince(mark).Split('\n').FirstOrDefault(regex.IsMatch);
            if (line is not null) return line.TrimEnd('\r');
            if (deadline.Elapsed > Deadline) throw new TimeoutException($"no log line matched '{pattern}' within {Deadline.TotalSeconds} s:\n{LogSince(mark)}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The log after <paramref name="mark"/> shows no stack trace, no 500 and nothing above Information (Kestrel's and
    /// the host's own lines included).
    /// </summary>
    public void AssertQuietLog(int mark)
    {
        var log = LogSince(mark);
        Assert.DoesNotMatch(@"(?m)^\s+at ", log);
        Assert.DoesNotContain("responded 500", log);
        Assert.DoesNotContain(" ERR] ", log);
        Assert.DoesNotContain(" WRN] ", log);
        Assert.DoesNotContain("FTL]", log);
    }

    /// <summary>The value of one series of <c>/metrics</c> (name and labels exactly as exported), 0 when absent.</summary>
    public Task<double> MetricAsync(string series) => Scrape.ValueAsync(Client, series);

    /// <summary>Polls <c>/metrics</c> until <paramref name="series"/> reaches <paramref name="atLeast"/>; fails with the exported series past the deadline.</summary>
    public async Task WaitForMetricAsync(string series, double atLeast)
    {
        var deadline = Stopwatch.StartNew();
        while (await MetricAsync(series) < atLeast)
        {
            if (deadline.Elapsed > Deadline)
            {
                var http = (await Client.GetStringAsync("/metrics")).Split('\n').Where(l => l.StartsWith("http_requests", StringComparison.Ordinal));
                throw new TimeoutException($"{series} did not reach {atLeast} within {Deadline.TotalSeconds} s:\n{string.Join('\n', http)}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary><c>http_requests_received_total</c> for POST /attend with <paramref name="code"/>.</summary>
    public static string Received(string code) =>
        $"http_requests_received_total{{code=\"{code}\",method=\"POST\",endpoint=\"/attend\"}}";

    /// <summary>/attend requests in progress: the signal that the service is reading a body or writing an answer.</summary>
    public const string AttendInProgress = "http_requests_in_progress{method=\"POST\",endpoint=\"/attend\"}";

    /// <summary>Every POST /attend count by code, to show no other code moved.</summary>
    public async Task<Dictionary<string, double>> AttendCountsAsync()
    {
        var text = await Client.GetStringAsync("/metrics");
        var counts = new Dictionary<string, double>();
        foreach (Match m in Regex.Matches(text, @"(?m)^http_requests_received_total\{code=""([^""]*)"",method=""POST"",endpoint=""/attend""\} (\S+)"))
            counts[m.Groups[1].Value] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        return counts;
    }

    /// <summary>Waits until one POST /attend has been counted with <paramref name="code"/> since <paramref name="before"/>, and no other code moved.</summary>
    public async Task AssertCountedOnceAsync(Dictionary<string, double> before, string code)
    {
        await WaitForMetricAsync(Received(code), before.GetValueOrDefault(code) + 1);
        var after = await AttendCountsAsync();
        foreach (var (other, count) in after)
            Assert.True(count == before.GetValueOrDefault(other) + (other == code ? 1 : 0),
                $"code=\"{other}\" went from {before.GetValueOrDefault(other)} to {count}; expected one request counted as {code}");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}

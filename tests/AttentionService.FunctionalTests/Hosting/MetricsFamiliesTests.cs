using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Hosting;

/// <summary>
/// /metrics carries only the families a dashboard uses (an allow-list, so new noise fails), counters as counters, units
/// in names, no empty label values; per-model request and answer sizes and errors by status move with the requests
/// that cause them; docs/metrics.md lists exactly what is scraped.
/// </summary>
public sealed partial class MetricsFamiliesTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    private static readonly string[] Allowed =
    [
        "attention_connections_rejected_total", "attention_fallbacks_total", "attention_inference_duration_seconds",
        "attention_inferences_total", "attention_memory_budget_bytes", "attention_memory_reserved_bytes",
        "attention_memory_trims_total", "attention_rejected_requests_total", "attention_request_errors_total",
        "attention_request_size_bytes", "attention_response_size_bytes",
        "dotnet_collection_count_total", "dotnet_gc_allocated_bytes_total", "dotnet_gc_committed_bytes",
        "dotnet_gc_fragmented_bytes", "dotnet_gc_pause_seconds_total", "dotnet_threadpool_completed_items_total",
        "dotnet_threadpool_queue_length", "dotnet_threadpool_threads", "dotnet_total_memory_bytes",
        "http_request_duration_seconds", "http_requests_in_progress", "http_requests_received_total",
        "process_cpu_seconds_total", "process_num_threads", "process_open_handles", "process_private_memory_bytes",
        "process_start_time_seconds", "process_virtual_memory_bytes", "process_working_set_bytes",
    ];

    private const string Attend = "/attend";
    private const string Infer = "/v2/models/{name}/infer";

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task TheFamiliesAreExactlyTheAllowList()
    {
        await SendTrafficAsync();

        var families = Families(await _client.GetStringAsync("/metrics"));

        Assert.Equal(Allowed.Order(), families.Keys.Order());
    }

    [Fact]
    public async Task CountersEndInTotalAndHistogramsHaveUnits()
    {
        await SendTrafficAsync();

        foreach (var (name, type) in Families(await _client.GetStringAsync("/metrics")))
        {
            Assert.True(type is "counter" == name.EndsWith("_total", StringComparison.Ordinal), $"{name} is a {type}");
            if (type == "histogram")
                Assert.True(name.EndsWith("_seconds", StringComparison.Ordinal) || name.EndsWith("_bytes", StringComparison.Ordinal), name);
        }
    }

    [Fact]
    public async Task NoLabelValueIsEmpty()
    {
        await SendTrafficAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/no-such-route")).StatusCode);

        var metrics = await _client.GetStringAsync("/metrics");

        Assert.DoesNotContain("=\"\"", metrics);
        Assert.Contains("http_requests_received_total{code=\"404\",method=\"GET\",endpoint=\"unmatched\"}", metrics);
    }

    [Fact]
    public async Task AnAnswerAndA400MoveThePerModelSizesAndErrorsOfAttend()
    {
        const string answered = """{"model": "scaled-dot", "query": [[1, 0]], "values": [[1, 0], [0, 1]]}""";
        const string refused = """{"model": "scaled-dot", "query": [[1, 0]], "values": [[1, 0], [0, 1]], "outputs": ["nope"]}""";
        var before = await _client.GetStringAsync("/metrics");

        var ok = await PostAsync(Attend, answered);
        var bad = await PostAsync(Attend, refused);

        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        var after = await _client.GetStringAsync("/metrics");
        AssertMoved(before, after, "scaled-dot", Attend, requestBytes: Bytes(answered) + Bytes(refused), responseBytes: ok.Bytes + bad.Bytes, count: 2);
        Assert.Equal(1, Delta(before, after, Errors("scaled-dot", Attend, "400")));
        Assert.Equal(0, Delta(before, after, Errors("scaled-dot", Attend, "200")));
    }

    [Fact]
    public async Task AnAnswerAndA400MoveThePerModelSizesAndErrorsOfV2Infer()
    {
        const string answered = """{"inputs": [{"name": "query", "datatype": "FP32", "shape": [1, 1, 2], "data": [1, 0]}, {"name": "values", "datatype": "FP32", "shape": [1, 2, 2], "data": [1, 0, 0, 1]}]}""";
        const string refused = """{"inputs": []}""";
        var path = "/v2/models/scaled-dot/infer";
        var before = await _client.GetStringAsync("/metrics");

        var ok = await PostAsync(path, answered);
        var bad = await PostAsync(path, refused);

        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        var after = await _client.GetStringAsync("/metrics");
        AssertMoved(before, after, "scaled-dot", Infer, requestBytes: Bytes(refused) + Bytes(answered), responseBytes: ok.Bytes + bad.Bytes, count: 2);
        Assert.Equal(1, Delta(before, after, Errors("scaled-dot", Infer, "400")));
    }

    [Fact]
    public async Task AnUnknownModelIsCountedUnderUnknownNotUnderTheNameSent()
    {
        var before = await _client.GetStringAsync("/metrics");

        var missing = await PostAsync(Attend, """{"model": "no-such-model", "query": [[1]], "values": [[1]]}""");

        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        var after = await _client.GetStringAsync("/metrics");
        Assert.Equal(1, Delta(before, after, Errors("(unknown)", Attend, "404")));
        Assert.DoesNotContain("no-such-model", after);
    }

    [Fact]
    public async Task TheDocsListExactlyTheFamiliesTypesAndLabelsScraped()
    {
        await SendTrafficAsync();
        var metrics = await _client.GetStringAsync("/metrics");
        var docs = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "metrics.md"));

        var documented = DocRow().Matches(docs).ToDictionary(row => row.Groups["name"].Value, row => (
            Type: row.Groups["type"].Value,
            Labels: string.Join(",", Regex.Matches(row.Groups["labels"].Value, "`([a-z_]+)`").Select(m => m.Groups[1].Value).Order())));
        var scraped = Families(metrics);

        Assert.Equal(scraped.Select(f => (f.Key, f.Value)).Order(), documented.Select(d => (d.Key, d.Value.Type)).Order());
        // Labels as the samples carry them; a family with no series yet (fallbacks, in a healthy host) shows none.
        foreach (var family in scraped.Keys.Where(f => HasSamples(metrics, f)))
            Assert.Equal((family, documented[family].Labels), (family, string.Join(",", Labels(metrics, family).Order())));
    }

    private static bool HasSamples(string metrics, string family) =>
        Regex.IsMatch(metrics, $@"(?m)^{family}(?:_bucket|_sum|_count)?[{{ ]");

    /// <summary>An answer and an error on each endpoint that runs a model, so every labelled family has a series.</summary>
    private async Task SendTrafficAsync()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Attend, """{"query": [[1, 0]], "values": [[1, 0], [0, 1]]}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(Attend, """{"query": 1}""")).Status);
    }

    private async Task<(HttpStatusCode Status, long Bytes)> PostAsync(string path, string body)
    {
        var response = await _client.PostAsync(path, new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { { "Content-Type", "application/json" } } });
        return (response.StatusCode, (await response.Content.ReadAsByteArrayAsync()).LongLength);
    }

    private static void AssertMoved(string before, string after, string model, string endpoint, long requestBytes, long responseBytes, int count)
    {
        var labels = $"{{model=\"{model}\",endpoint=\"{endpoint}\"}}";
        Assert.Equal(count, Delta(before, after, "attention_request_size_bytes_count" + labels));
        Assert.Equal(requestBytes, Delta(before, after, "attention_request_size_bytes_sum" + labels));
        Assert.Equal(count, Delta(before, after, "attention_response_size_bytes_count" + labels));
        Assert.Equal(responseBytes, Delta(before, after, "attention_response_size_bytes_sum" + labels));
    }

    private static string Errors(string model, string endpoint, string code) =>
        $"attention_request_errors_total{{model=\"{model}\",endpoint=\"{endpoint}\",code=\"{code}\"}}";

    private static double Delta(string before, string after, string series) => Scrape.Value(after, series) - Scrape.Value(before, series);

    private static long Bytes(string body) => Encoding.UTF8.GetByteCount(body);

    /// <summary>Each family's name and type, from its <c># TYPE</c> line.</summary>
    private static Dictionary<string, string> Families(string metrics) =>
        TypeLine().Matches(metrics).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["type"].Value);

    /// <summary>The label names a family's samples carry (a histogram's <c>le</c> left out).</summary>
    private static HashSet<string> Labels(string metrics, string family) =>
        Regex.Matches(metrics, $@"(?m)^{family}(?:_bucket|_sum|_count)?\{{(?<labels>[^}}]*)\}}")
            .SelectMany(m => Regex.Matches(m.Groups["labels"].Value, @"(?<name>[a-z_]+)=""").Select(l => l.Groups["name"].Value))
            .Where(name => name != "le")
            .ToHashSet();

    [GeneratedRegex(@"(?m)^# TYPE (?<name>\S+) (?<type>\S+)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"(?m)^\| `(?<name>[a-z_]+)` \| (?<type>counter|gauge|histogram) \|(?<labels>[^|]*)\|")]
    private static partial Regex DocRow();
}

using System.Net;
using System.Text.RegularExpressions;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// Attention:Memory:BudgetBytes admits what requests hold (body, inputs, intermediates, outputs, the answer being
/// written) before they read or run: past the budget a run waits in line or gets 503 + Retry-After, a request that could
/// never fit gets 413, an upload the budget cannot take now gets 503, and everything is given back once answered.
/// Runs are held at a gate so that one request holds its reservation while the next arrives.
/// </summary>
public sealed partial class MemoryBudgetTests
{
    private const string Body = """{"query": [[1, 2]], "values": [[1, 2], [3, 4]]}""";

    /// <summary>
    /// Room for one small request: its run reserves the answer writer's 128 KiB and a few hundred bytes of tensors,
    /// so a second one does not fit beside it.
    /// </summary>
    private const string OneRequest = "200000";

    private static AttentionServiceFactory Factory(GatedBackends gate, string budget, int queueLength) => new()
    {
        Settings =
        {
            ["Attention:Memory:BudgetBytes"] = budget,
            ["Attention:Concurrency:MaxConcurrentRuns"] = "4",
            ["Attention:Concurrency:QueueLength"] = queueLength.ToString(),
            ["Attention:Concurrency:RetryAfterSeconds"] = "3",
        },
        ConfigureTestServices = gate.Install,
    };

    [Fact]
    public async Task PastTheBudgetARunWaitsInLineAndRunsOnceTheMemoryIsGivenBack()
    {
        var gate = new GatedBackends();
        using var factory = Factory(gate, OneRequest, queueLength: 4);
        var client = factory.CreateClient();

        var first = client.PostRawAsync(Body);
        await gate.WaitUntilEnteredAsync(1);
        var firstHolds = Reserved(await client.GetStringAsync("/metrics"));
        Assert.InRange(firstHolds, 128 * 1024, 200000);
        var second = client.PostRawAsync(Body);
        // The second holds only its body while it waits for room: it never reaches a backend.
        await WaitForReservedAsync(client, r => r > firstHolds);
        Assert.Equal(1, gate.Entered);
        Assert.False(second.IsCompleted);

        gate.Open(2);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        Assert.Equal(2, gate.Entered);
        await WaitForReservedAsync(client, r => r == 0);
    }

    [Fact]
    public async Task PastTheBudgetWithTheLineFullARequestGets503WithRetryAfter()
    {
        var gate = new GatedBackends();
        using var factory = Factory(gate, OneRequest, queueLength: 0);
        var client = factory.CreateClient();

        var first = client.PostRawAsync(Body);
        await gate.WaitUntilEnteredAsync(1);
        var refused = await client.PostRawAsync(Body);

        await Problems.AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "the memory budget (200000 bytes, Attention:Memory:BudgetBytes) is taken");
        Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta);
        gate.Open(1);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Matches(@"http_requests_received_total\{[^}]*code=""503""[^}]*\} 1", await client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task ARequestThatCouldNeverFitTheBudgetIs413SayingWhatItNeeds()
    {
        var gate = new GatedBackends();
        using var factory = Factory(gate, "100000", queueLength: 4);
        var client = factory.CreateClient();

        var response = await client.PostRawAsync(Body);

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "more than the memory budget of 100000 bytes (Attention:Memory:BudgetBytes)");
        Assert.Matches(@"the request needs \d+ bytes \(request tensors \d+, inputs built \d+, outputs \d+, intermediates \d+", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, gate.Entered);
    }

    [Fact]
    public async Task ABodyLargerThanTheWholeBudgetIs413BeforeItIsRead()
    {
        var gate = new GatedBackends();
        using var factory = Factory(gate, "100000", queueLength: 4);
        var client = factory.CreateClient();
        var padded = Body.Insert(1, $"\"model\": \"luong-dot\",{new string(' ', 150_000)}");

        var response = await client.PostRawAsync(padded);

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge,
            $"the body of {padded.Length} bytes needs {4 * padded.Length} bytes to be read and parsed, more than the memory budget of 100000 bytes (Attention:Memory:BudgetBytes)");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnUploadTheBudgetCannotTakeNowIs503WithRetryAfter(bool chunked)
    {
        var gate = new GatedBackends();
        using var factory = Factory(gate, OneRequest, queueLength: 4);
        var client = factory.CreateClient();
        var first = client.PostRawAsync(Body);
        await gate.WaitUntilEnteredAsync(1);

        // 30 KB of body (120 KB to read and parse) fits the budget alone, but not beside the first request's reservation.
        var padded = Body.Insert(1, $"\"model\": \"luong-dot\",{new string(' ', 30_000)}");
        var upload = chunked
            ? await client.PostAsync("/attend", new ChunkedContent(padded))
            : await client.PostRawAsync(padded);

        await Problems.AssertProblemAsync(upload, HttpStatusCode.ServiceUnavailable, "cannot hold this body now");
        Assert.Equal(TimeSpan.FromSeconds(3), upload.Headers.RetryAfter?.Delta);
        gate.Open(1);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        // The refused upload gave back what it had reserved, and the first gave back everything once answered.
        await WaitForReservedAsync(client, r => r == 0);
    }

    [Fact]
    public async Task TheBudgetAndWhatIsReservedAreGauges()
    {
        using var factory = new AttentionServiceFactory { Settings = { ["Attention:Memory:BudgetBytes"] = "123456789" } };
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PostRawAsync(Body)).StatusCode);

        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("attention_memory_budget_bytes 123456789", metrics);
        Assert.Matches("(?m)^attention_memory_reserved_bytes 0$", metrics);
    }

    /// <summary>A body sent without a Content-Length, in chunks.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedContent(string text)
        {
            _bytes = System.Text.Encoding.UTF8.GetBytes(text);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var bytes = _bytes;
            for (var offset = 0; offset < bytes.Length; offset += 8192)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(8192, bytes.Length - offset)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static long Reserved(string metrics) => long.Parse(ReservedLine().Match(metrics).Groups[1].Value);

    /// <summary>Polls /metrics until the reserved gauge satisfies <paramref name="holds"/>, failing after 30 s.</summary>
    private static async Task WaitForReservedAsync(HttpClient client, Func<long, bool> holds)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var reserved = Reserved(await client.GetStringAsync("/metrics", deadline.Token));
            if (holds(reserved)) return;
            await Task.Delay(20, deadline.Token);
        }
    }

    [GeneratedRegex(@"(?m)^attention_memory_reserved_bytes (\d+)")]
    private static partial Regex ReservedLine();
}

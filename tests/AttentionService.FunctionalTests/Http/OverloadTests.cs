using System.Net;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Http;

/// <summary>Bounded concurrency, per-request timeouts and client disconnects, with inferences held at a gate.</summary>
public sealed class OverloadTests
{
    private const string Body = """{"query": [[1, 2]], "values": [[1, 2], [3, 4]]}""";

    [Fact]
    public async Task PastTheSlotsAndTheQueueRequestsGet503WithRetryAfterAtOnce()
    {
        var gate = new GatedBackends();
        using var factory = new AttentionServiceFactory
        {
            Settings = { ["Attention:Concurrency:MaxConcurrentRuns"] = "1", ["Attention:Concurrency:QueueLength"] = "1", ["Attention:Concurrency:RetryAfterSeconds"] = "2" },
            ConfigureTestServices = gate.Install,
        };
        var client = factory.CreateClient();

        var running = client.PostRawAsync(Body);
        await gate.WaitUntilEnteredAsync(1);
        // Of the next two, whichever reaches the full slot first takes the queue's one place and the other is refused at
        // once: the one that answers is the refused one, with no guess at how long the other takes to get in line.
        Task<HttpResponseMessage>[] contenders = [client.PostRawAsync(Body), client.PostRawAsync(Body)];
        var first = await Task.WhenAny(contenders).WaitAsync(TimeSpan.FromSeconds(30));
        var queued = contenders.Single(c => c != first);
        var rejected = await first;

        await Problems.AssertProblemAsync(rejected, HttpStatusCode.ServiceUnavailable, "1 inferences are running and 1 waiting");
        Assert.Equal(TimeSpan.FromSeconds(2), rejected.Headers.RetryAfter?.Delta);
        Assert.False(queued.IsCompleted);
        gate.Open(2);
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Matches(@"attention_rejected_requests_total [1-9]", metrics);
    }

    [Fact]
    public async Task AClientStillSendingItsBodyHoldsNoInferenceSlot()
    {
        using var factory = new AttentionServiceFactory
        {
            Settings = { ["Attention:Concurrency:MaxConcurrentRuns"] = "1", ["Attention:Concurrency:QueueLength"] = "0" },
        };
        var client = factory.CreateClient();
        var body = System.Text.Encoding.UTF8.GetBytes(Body);
        var upload = new System.IO.Pipelines.Pipe();
        var content = new StreamContent(upload.Reader.AsStream());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var slow = client.PostAsync("/attend", content);
        await upload.Writer.WriteAsync(body.AsMemory(0, body.Length / 2));
        // Only model runs take the one slot: with the whole request gated, this would be 503 (no queue).
        var other = await client.PostRawAsync(Body);
        Assert.False(slow.IsCompleted);
        await upload.Writer.WriteAsync(body.AsMemory(body.Length / 2));
        await upload.Writer.CompleteAsync();

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await slow).StatusCode);
    }

    [Fact]
    public async Task ARequestOverItsTimeoutIsStoppedAndAnswered503()
    {
        var gate = new GatedBackends();
        using var factory = new AttentionServiceFactory
        {
            Settings = { ["Attention:RequestTimeoutSeconds"] = "1" },
            ConfigureTestServices = gate.Install,
        };
        var client = factory.CreateClient();

        var response = await client.PostRawAsync(Body);

        await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "took longer than 1 s (Attention:RequestTimeoutSeconds)");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(1, gate.Cancelled);
        await WaitForAttendCountAsync(client, "503");
    }

    [Fact]
    public async Task AClientThatHangsUpStopsItsInference()
    {
        var gate = new GatedBackends();
        using var factory = new AttentionServiceFactory { ConfigureTestServices = gate.Install };
        var client = factory.CreateClient();
        using var hangUp = new CancellationTokenSource();

        var request = client.PostAsync("/attend", new StringContent(Body, System.Text.Encoding.UTF8, "application/json"), hangUp.Token);
        await gate.WaitUntilEnteredAsync(1);
        hangUp.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await gate.WaitUntilCancelledAsync(1);
        Assert.Equal(1, gate.Cancelled);
        await WaitForAttendCountAsync(client, "aborted");
        gate.Open(1);
        Assert.Equal(HttpStatusCode.OK, (await client.PostRawAsync(Body)).StatusCode);
    }

    /// <summary>Polls /metrics until one POST /attend has been counted with <paramref name="code"/> (it is counted when the request ends).</summary>
    private static async Task WaitForAttendCountAsync(HttpClient client, string code)
    {
        var series = $"http_requests_received_total{{code=\"{code}\",method=\"POST\",endpoint=\"/attend\"}} 1";
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        string metrics;
        while (!(metrics = await client.GetStringAsync("/metrics")).Contains(series))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"no '{series}' in:\n{metrics}");
            await Task.Delay(50);
        }
    }
}

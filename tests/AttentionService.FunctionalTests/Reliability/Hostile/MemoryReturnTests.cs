using System.Net;
using System.Text;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// A burst of large requests must not leave the process holding their memory: once idle, the service drops its idle
/// workspaces and large pooled arrays, ONNX Runtime's arena has shrunk after each run, and a compacting collection
/// gives the pages back, so the resident set returns to near where it was before the burst.
/// </summary>
public sealed class MemoryReturnTests
{
    /// <summary>How far above its pre-burst resident set the process may stay after trimming.</summary>
    private const long AllowedGrowthBytes = 128L * 1024 * 1024;

    [Fact]
    public async Task AfterABurstOfLargeRequestsTheResidentSetReturnsNearItsStart()
    {
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory,
            "--Attention:Memory:TrimIdleSeconds=1", "--Attention:Memory:BudgetBytes=4294967296", "--Attention:RequestTimeoutSeconds=300");
        using var client = new HttpClient { BaseAddress = service.Client.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        foreach (var backend in new[] { "onnx", "managed" })
            Assert.Equal(HttpStatusCode.OK, (await Post(client, $$"""{"model": "bahdanau", "backend": "{{backend}}", "query": [[0.5]], "values": [[0.5]]}""".Replace("[[0.5]]", Row64()))).StatusCode);
        var before = ResidentBytes(service.ProcessId);

        // Bahdanau at 1024 × 1024 holds [1, 1024, 1024, 64] floats (256 MiB) twice on the way: about 0.5 GB a run.
        var body = LargeBodies.Attend("\"model\": \"bahdanau\", ", ("query", 1, 1024, 64), ("values", 1, 1024, 64));
        // Four at once, all within the budget: two on each backend.
        var burst = Enumerable.Range(0, 4).Select(i => Post(client, body.Insert(1, $"\"backend\": \"{(i % 2 == 0 ? "onnx" : "managed")}\", "))).ToList();
        var statuses = (await Task.WhenAll(burst)).Select(r => r.StatusCode).ToList();
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));

        await service.WaitForOutputAsync("Memory trimmed after requests held up to", TimeSpan.FromSeconds(60));
        var after = ResidentBytes(service.ProcessId);
        Assert.True(after <= before + AllowedGrowthBytes,
            $"resident set {before / 1048576} MiB before the burst, {after / 1048576} MiB after trimming (allowed +{AllowedGrowthBytes / 1048576} MiB)\n{service.Output}");
        Assert.Matches(@"attention_memory_trims_total [1-9]", await client.GetStringAsync("/metrics"));
        Assert.Matches(@"(?m)^attention_memory_reserved_bytes 0$", await client.GetStringAsync("/metrics"));
    }

    private static string Row64() => "[[" + string.Join(",", Enumerable.Repeat("0.5", 64)) + "]]";

    private static async Task<HttpResponseMessage> Post(HttpClient client, string body)
    {
        var response = await client.PostAsync("/attend", new StringContent(body, Encoding.UTF8, "application/json"));
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>The process's resident set (VmRSS in /proc/&lt;pid&gt;/status), in bytes.</summary>
    public static long ResidentBytes(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
        throw new InvalidOperationException($"/proc/{processId}/status has no VmRSS line");
    }
}

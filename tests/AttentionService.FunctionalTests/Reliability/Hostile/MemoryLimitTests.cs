using System.Net;
using System.Text;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// The service under a real 1 GiB memory limit (a child memory cgroup, as <c>docker run --memory 1g</c> sets one),
/// flooded with maximum-size legal requests at once: the budget derived from the limit admits what fits, the rest
/// wait or get 503 + Retry-After, and nothing else fails: no 500, no OutOfMemoryException, no OOM kill, no restart.
/// </summary>
public sealed class MemoryLimitTests
{
    private const long Limit = 1L << 30;
    private const int Requests = 64;

    [RequiresMemoryCgroupFact]
    public async Task MaximumSizeRequestsAtOnceUnderAOneGibLimitGet200Or503AndTheServiceLives()
    {
        using var cgroup = MemoryCgroup.Create(Limit);
        await using var service = await ServiceProcess.StartInCgroupAsync(AppContext.BaseDirectory, cgroup.ProcsFile);
        // The body waits for the service's 100 Continue however long admission takes: with the default 1 s timeout a
        // loaded machine sends it unasked, and a 503 that closes the connection then resets the upload.
        using var handler = new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = service.Client.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };

        // The runtime sees the limit (its heap limit, 75% of it), and the budget is derived from that.
        var line = await BudgetLineAsync(service);
        var seen = long.Parse(line.Split(" of the ")[1].Split(' ')[0]);
        Assert.InRange(seen, Limit / 2, Limit);
        Assert.Contains("(Attention:Memory:BudgetBytes = 0)", line);

        // At the limits: weights batch·tq·tv = 4 Mi numbers (Attention:Limits:MaxElements), a 12 MB body of 3 Mi numbers.
        var body = Encoding.UTF8.GetBytes(LargeBodies.Attend("", ("query", 1, 2048, 512), ("keys", 1, 2048, 512), ("values", 1, 2048, 512)));
        var answers = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => PostAsync(client, body)));

        var unexpected = answers.Where(a => a.Status is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable)).ToList();
        Assert.True(unexpected.Count == 0, $"answers other than 200 or 503: {string.Join("; ", unexpected.Take(3).Select(a => $"{(int)a.Status} {a.Detail}"))}");
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a => Assert.NotNull(a.RetryAfter));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(0, cgroup.OomKills);
        Assert.DoesNotContain("OutOfMemoryException", service.Output);
        Assert.DoesNotContain("responded 500", service.Output);
        var metrics = await client.GetStringAsync("/metrics");
        Assert.DoesNotMatch(@"http_requests_received_total\{[^}]*code=""5(?!03)\d\d""", metrics);
        Console.WriteLine($"{answers.Count(a => a.Status == HttpStatusCode.OK)} × 200, {answers.Count(a => a.Status != HttpStatusCode.OK)} × 503; cgroup peak {cgroup.PeakBytes} bytes");
    }

    private static async Task<string> BudgetLineAsync(ServiceProcess service)
    {
        await service.WaitForOutputAsync("Memory budget ", TimeSpan.FromSeconds(5));
        return service.Output.Split('\n').First(l => l.Contains("Memory budget ", StringComparison.Ordinal));
    }

    private static async Task<(HttpStatusCode Status, string Detail, TimeSpan? RetryAfter)> PostAsync(HttpClient client, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/attend") { Content = content };
        // As a client of large uploads should: the body is sent once the service asks for it, so a 503 for a body the
        // budget cannot take now arrives before the upload instead of cutting it off.
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        // Read the answer to its end, as a client would, without keeping it.
        var stream = await response.Content.ReadAsStreamAsync();
        var start = new byte[300];
        var read = await stream.ReadAtLeastAsync(start, start.Length, throwOnEndOfStream: false);
        await stream.CopyToAsync(Stream.Null);
        return (response.StatusCode, Encoding.UTF8.GetString(start, 0, read), response.Headers.RetryAfter?.Delta);
    }
}

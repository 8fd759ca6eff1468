using System.Net;
using System.Text.RegularExpressions;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// Floods of idle connections against the service run as its own process: at the default bound and under a low
/// file-descriptor limit (where, without a bound, the process died in its accept loop), the connections past the bound
/// are closed, counted and summarised in the log, and the service goes on serving.
/// </summary>
public sealed partial class ConnectionFloodTests
{
    [Fact]
    public async Task TwoThousandIdleConnectionsAgainstTheDefaultBound()
    {
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory);
        var refused = await FloodAsync(service, connections: 2_000, expectedRefusals: 1_000);

        Assert.True(refused >= 1_000, $"{refused} refusals counted");
        AssertSummarised(service.Output);
    }

    /// <summary>
    /// 500 connections against 512 descriptors, about 220 of them the runtime's own: the bound is lowered, and sockets
    /// are not accepted faster than refused ones close, so the process never runs out of descriptors.
    /// </summary>
    [RequiresExecutableFact("prlimit")]
    public async Task UnderALowFileLimitTheBoundIsLoweredAndTheProcessSurvives()
    {
        await using var service = await ServiceProcess.StartAsync(["prlimit", "--nofile=512:512", "--"], AppContext.BaseDirectory);
        var lowered = LoweredBound().Match(service.Output);
        Assert.True(lowered.Success, service.Output);
        var allowed = int.Parse(lowered.Groups[1].Value);
        Assert.InRange(allowed, 1, 512);

        var refused = await FloodAsync(service, connections: 500, expectedRefusals: 500 - allowed);

        Assert.True(refused >= 500 - allowed, $"{refused} refusals counted, {allowed} connections allowed");
        AssertSummarised(service.Output);
    }

    /// <summary>
    /// Opens <paramref name="connections"/> idle sockets, waits until <paramref name="expectedRefusals"/> of them are
    /// closed by the server, checks the connection the client already holds is still served and that new ones are once
    /// the flood ends, and returns the refusals /metrics counted.
    /// </summary>
    private static async Task<double> FloodAsync(ServiceProcess service, int connections, int expectedRefusals)
    {
        // Serve each kind of request first: the assemblies they load hold descriptors too.
        using var attend = await service.Client.PostAsync("/attend",
            new StringContent("""{"query": [[1, 0]], "values": [[1, 0], [0, 1]]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, attend.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/models")).StatusCode);
        await service.Client.GetStringAsync("/metrics");

        var port = service.Client.BaseAddress!.Port;
        var sockets = new List<RawConnection>(connections);
        try
        {
            for (var i = 0; i < connections; i++) sockets.Add(await RawConnection.OpenAsync(port));
            var closures = sockets.Select(s => s.ReadToCloseAsync(TimeSpan.FromSeconds(60))).ToList();
            for (var closed = 0; closed < expectedRefusals; closed++) closures.Remove(await Task.WhenAny(closures));

            Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }

        using var fresh = new HttpClient { BaseAddress = service.Client.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, await RawConnection.FirstAnswerAsync(fresh, "/health/ready", TimeSpan.FromSeconds(30)));
        return await Scrape.ValueAsync(service.Client, "attention_connections_rejected_total");
    }

    /// <summary>Refusals are summed in a few warnings, never one line per connection, and never with a stack trace.</summary>
    private static void AssertSummarised(string output)
    {
        var summaries = Regex.Count(output, "Refused [0-9]+ connection");
        Assert.True(!output.Contains(" at System.", StringComparison.Ordinal) && !output.Contains(" at Microsoft.", StringComparison.Ordinal), output);
        Assert.InRange(summaries, 1, 10);
        Assert.DoesNotContain("rejected because the maximum number of concurrent connections", output);
    }

    [GeneratedRegex("allowing ([0-9]+) connections")]
    private static partial Regex LoweredBound();
}

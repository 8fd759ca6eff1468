using System.Diagnostics;
using System.Net;
using System.Text;
using AttentionService.Hosting;
using AttentionService.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AttentionService.Tests.Hosting;

/// <summary>
/// Attention:Connections bounds Kestrel's connections: raw sockets against the real service started as its own
/// process show that connections past the bound are closed while the service keeps serving, and that connections that
/// send nothing, or send their headers too slowly, are closed after their timeouts.
/// </summary>
public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task ConnectionsPastTheLimitAreClosedAndTheServiceKeepsServing()
    {
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory, "--Attention:Connections:MaxConcurrentConnections=20");
        var port = service.Client.BaseAddress!.Port;
        var sockets = new List<RawConnection>();
        try
        {
            for (var i = 0; i < 40; i++) sockets.Add(await RawConnection.OpenAsync(port));

            // The client's pooled connection (from the readiness check) holds one of the 20 slots, so 21 of the 40 are
            // past the bound: each sees the server close it, long before the 120 s keep-alive timeout.
            var closures = sockets.Select(s => s.ReadToCloseAsync(TimeSpan.FromSeconds(30))).ToList();
            for (var closed = 0; closed < 21; closed++) closures.Remove(await Task.WhenAny(closures));

            // Full, but alive: the connection it already holds is served.
            Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }

        // Once the idle clients are gone, new connections are served again.
        using var fresh = new HttpClient { BaseAddress = service.Client.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, await RawConnection.FirstAnswerAsync(fresh, "/health/live", TimeSpan.FromSeconds(30)));
        Assert.Contains("Refused", service.Output);
        Assert.Contains("(Attention:Connections:MaxConcurrentConnections)", service.Output);
        Assert.DoesNotContain("rejected because the maximum number of concurrent connections has been reached", service.Output);
        Assert.True(await Scrape.ValueAsync(service.Client, "attention_connections_rejected_total") >= 21);
        Assert.DoesNotContain(" at Microsoft.AspNetCore", service.Output);
        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task SilentAndSlowHeaderConnectionsAreClosedAfterTheirTimeouts()
    {
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory,
            "--Attention:Connections:KeepAliveTimeoutSeconds=2", "--Attention:Connections:RequestHeadersTimeoutSeconds=2");
        var port = service.Client.BaseAddress!.Port;
        using var silent = await RawConnection.OpenAsync(port);
        using var slow = await RawConnection.OpenAsync(port);
        await slow.SendAsync("GET /health/live HTTP/1.1\r\nHost: localhost\r\n");
        var elapsed = Stopwatch.StartNew();

        var silentReceived = (await silent.ReadToCloseAsync(TimeSpan.FromSeconds(30))).Text;
        var slowReceived = (await slow.ReadToCloseAsync(TimeSpan.FromSeconds(30))).Text;

        Assert.True(elapsed.Elapsed >= TimeSpan.FromSeconds(1), $"closed after {elapsed.Elapsed}, before the 2 s timeouts");
        Assert.Equal("", silentReceived);
        Assert.StartsWith("HTTP/1.1 408", slowReceived);
    }

    [Fact]
    public void TheBoundIsLoweredToWhatTheFileDescriptorLimitAllows()
    {
        Assert.Equal(new ConnectionCapacity(1000, 1032), ConnectionCapacity.For(1000, null, 300, NullLogger.Instance));
        Assert.Equal(new ConnectionCapacity(1000, 1032), ConnectionCapacity.For(1000, 20_000, 300, NullLogger.Instance));
        Assert.Equal(new ConnectionCapacity(500, 532), ConnectionCapacity.For(1000, 1024, 300, NullLogger.Instance));
        Assert.Equal(new ConnectionCapacity(1, 2), ConnectionCapacity.For(1000, 256, 300, NullLogger.Instance));
    }

    [Fact]
    public void TheFileDescriptorLimitIsTheOneTheKernelReports()
    {
        if (!OperatingSystem.IsLinux()) return;
        var line = File.ReadLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.Equal(soft == "unlimited" ? null : long.Parse(soft), FileDescriptorLimit.Current());
    }
}

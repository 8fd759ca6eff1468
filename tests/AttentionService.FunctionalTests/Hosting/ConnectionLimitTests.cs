using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < 40; i++) sockets.Add(await ConnectAsync(port));

            // The client's pooled connection (from the readiness check) holds one of the 20 slots, so 21 of the 40 are
            // past the bound: each sees the server close it, long before the 120 s keep-alive timeout.
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var closures = sockets.Select(s => ClosedByServerAsync(s, cancel.Token)).ToList();
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
        Assert.Equal(HttpStatusCode.OK, await FirstAnswerAsync(fresh, "/health/live", TimeSpan.FromSeconds(30)));
        Assert.Contains("rejected because the maximum number of concurrent connections has been reached", service.Output);
        Assert.DoesNotContain(" at Microsoft.AspNetCore", service.Output);
        Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task SilentAndSlowHeaderConnectionsAreClosedAfterTheirTimeouts()
    {
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory,
            "--Attention:Connections:KeepAliveTimeoutSeconds=2", "--Attention:Connections:RequestHeadersTimeoutSeconds=2");
        var port = service.Client.BaseAddress!.Port;
        using var silent = await ConnectAsync(port);
        using var slow = await ConnectAsync(port);
        await slow.SendAsync("GET /health/live HTTP/1.1\r\nHost: localhost\r\n"u8.ToArray());
        var elapsed = Stopwatch.StartNew();

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var silentReceived = await ClosedByServerAsync(silent, cancel.Token);
        var slowReceived = await ClosedByServerAsync(slow, cancel.Token);

        Assert.True(elapsed.Elapsed >= TimeSpan.FromSeconds(1), $"closed after {elapsed.Elapsed}, before the 2 s timeouts");
        Assert.Equal("", silentReceived);
        Assert.StartsWith("HTTP/1.1 408", slowReceived);
    }

    [Fact]
    public void TheBoundIsLoweredToWhatTheFileDescriptorLimitAllows()
    {
        Assert.Equal(1000, ConnectionLimitsExtensions.EffectiveMaxConnections(1000, null, 300, NullLogger.Instance));
        Assert.Equal(1000, ConnectionLimitsExtensions.EffectiveMaxConnections(1000, 20_000, 300, NullLogger.Instance));
        Assert.Equal(660, ConnectionLimitsExtensions.EffectiveMaxConnections(1000, 1024, 300, NullLogger.Instance));
        Assert.Equal(1, ConnectionLimitsExtensions.EffectiveMaxConnections(1000, 256, 300, NullLogger.Instance));
    }

    [Fact]
    public void TheFileDescriptorLimitIsTheOneTheKernelReports()
    {
        if (!OperatingSystem.IsLinux()) return;
        var line = File.ReadLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.Equal(soft == "unlimited" ? null : long.Parse(soft), FileDescriptorLimit.Current());
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    /// <summary>Reads until the server closes the connection (a read of 0, or a reset), returning what it sent first.</summary>
    private static async Task<string> ClosedByServerAsync(Socket socket, CancellationToken cancel)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel)) > 0)
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        return received.ToString();
    }

    /// <summary>
    /// The status of the first request the service answers: closing sockets on the client does not free their slots
    /// until the server has seen each close, so a request sent at once may still be refused.
    /// </summary>
    private static async Task<HttpStatusCode> FirstAnswerAsync(HttpClient client, string path, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return (await client.GetAsync(path)).StatusCode;
            }
            catch (HttpRequestException) when (deadline.Elapsed < timeout)
            {
                await Task.Delay(100);
            }
        }
    }
}

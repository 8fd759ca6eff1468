using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// A body that arrives more slowly than Attention:Connections:MinRequestBytesPerSecond (after the grace period) is timed
/// out by Kestrel: the client gets 408 problem+json, the log one Information line, the metrics code="408". Before, the
/// same was an ERR "responded 500" with a stack trace, counted as 200.
/// </summary>
public sealed class SlowBodyTests
{
    private static readonly string[] LowRate =
        ["--Attention:Connections:MinRequestBytesPerSecond=100", "--Attention:Connections:MinRequestRateGraceSeconds=2"];

    [Fact]
    public async Task ABodyThatStopsComingIs408()
    {
        await using var service = await HostileService.StartAsync(LowRate);
        var before = await service.AttendCountsAsync();
        var mark = service.LogMark();

        using var connection = await RawConnection.OpenAsync(service.Port);
        await connection.SendAsync(RawConnection.Head("Content-Length: 1000\r\n") + """{"query": """);
        var received = await connection.ReadToCloseAsync(TimeSpan.FromSeconds(30));

        AssertBodyTimedOut(received);
        await service.AssertCountedOnceAsync(before, "408");
        Assert.Contains(" INF] ", await service.WaitForLogLineAsync(mark, "HTTP POST /attend responded 408"));
        service.AssertQuietLog(mark);
    }

    [Fact]
    public async Task ABodyTrickledBelowTheRateIs408()
    {
        await using var service = await HostileService.StartAsync(LowRate);
        var before = await service.AttendCountsAsync();
        var mark = service.LogMark();
        var body = HostileService.SmallBody.PadRight(1000);

        using var connection = await RawConnection.OpenAsync(service.Port);
        await connection.SendAsync(RawConnection.Head($"Content-Length: {body.Length}\r\n"));
        // A byte every 100 ms is 10 bytes a second, a tenth of the minimum: the read is timed out part-way.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reading = connection.ReadToCloseAsync(TimeSpan.FromSeconds(60));
        for (var i = 0; i < body.Length && !reading.IsCompleted; i++)
        {
            try
            {
                await connection.SendAsync(body[i].ToString());
            }
            catch (System.Net.Sockets.SocketException)
            {
                break;
            }
            await Task.WhenAny(reading, Task.Delay(100, stop.Token));
        }
        var received = await reading;

        AssertBodyTimedOut(received);
        await service.AssertCountedOnceAsync(before, "408");
        Assert.Contains(" INF] ", await service.WaitForLogLineAsync(mark, "HTTP POST /attend responded 408"));
        service.AssertQuietLog(mark);
    }

    internal static void AssertBodyTimedOut(Received received)
    {
        Assert.StartsWith("HTTP/1.1 408", received.StatusLine);
        Assert.Contains("application/problem+json", received.Text);
        Assert.Contains("Attention:Connections:MinRequestBytesPerSecond", received.Text);
    }
}

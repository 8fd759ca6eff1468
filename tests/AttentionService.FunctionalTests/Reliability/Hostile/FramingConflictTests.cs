using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// Bodies whose framing lies: a Content-Length longer than what is sent (the client then waits, half-closes or hangs
/// up), and both Content-Length and Transfer-Encoding. None is a 500; each is counted with what the client got.
/// </summary>
public sealed class FramingConflictTests
{
    private static readonly string[] LowRate =
        ["--Attention:Connections:MinRequestBytesPerSecond=100", "--Attention:Connections:MinRequestRateGraceSeconds=2"];

    [Fact]
    public async Task AContentLengthLongerThanTheBodyIs408WhenTheClientWaits()
    {
        await using var service = await HostileService.StartAsync(LowRate);
        var before = await service.AttendCountsAsync();
        var mark = service.LogMark();
        var body = HostileService.SmallBody;

        using var connection = await RawConnection.OpenAsync(service.Port);
        await connection.SendAsync(RawConnection.Head($"Content-Length: {body.Length + 100}\r\n") + body);
        var received = await connection.ReadToCloseAsync(TimeSpan.FromSeconds(30));

        SlowBodyTests.AssertBodyTimedOut(received);
        await service.AssertCountedOnceAsync(before, "408");
        Assert.Contains(" INF] ", await service.WaitForLogLineAsync(mark, "HTTP POST /attend responded 408"));
        service.AssertQuietLog(mark);
    }

    [Fact]
    public async Task AContentLengthLongerThanTheBodyThenAHalfCloseIsAborted()
    {
        await using var service = await HostileService.StartAsync();
        var before = await service.AttendCountsAsync();
        var mark = service.LogMark();
        var body = HostileService.SmallBody;

        using var connection = await RawConnection.OpenAsync(service.Port);
        await connection.SendAsync(RawConnection.Head($"Content-Length: {body.Length + 100}\r\n") + body);
        connection.ShutdownSend();
        var received = await connection.ReadToCloseAsync(TimeSpan.FromSeconds(30));

        // Kestrel ends the request when the client's side closes before the body does ("Unexpected end of request
        // content") and closes the connection without an answer: the client got nothing, and that is what is counted.
        Assert.Equal("", received.StatusLine);
        await service.AssertCountedOnceAsync(before, "aborted");
        Assert.Contains(" INF] ", await service.WaitForLogLineAsync(mark, "HTTP POST /attend responded 499 in .*; aborted"));
        service.AssertQuietLog(mark);
    }

    [Fact]
    public async Task AContentLengthLongerThanTheBodyThenAHangUpIsAborted()
    {
        await using var service = await HostileService.StartAsync();
        var before = await service.AttendCountsAsync();
        var mark = service.LogMark();
        var body = HostileService.SmallBody;

        using (var connection = await RawConnection.OpenAsync(service.Port))
        {
            await connection.SendAsync(RawConnection.Head($"Content-Length: {body.Length + 100}\r\n") + body);
            await service.WaitForMetricAsync(HostileService.AttendInProgress, 1);
            connection.Close();
        }

        await service.AssertCountedOnceAsync(before, "aborted");
        Assert.Contains(" INF] ", await service.WaitForLogLineAsync(mark, "HTTP POST /attend responded 499 .*; aborted"));
        service.AssertQuietLog(mark);
    }

    [Fact]
    public async Task ContentLengthAndTransferEncodingTogetherAreNever500()
    {
        await using var service = await HostileService.StartAsync();
        var before = await service.AttendCountsAsync();
        var mark = service.LogMark();
        var body = HostileService.SmallBody;

        using var connection = await RawConnection.OpenAsync(service.Port);
        // The Content-Length covers only the first bytes of the chunked body: read by it, the rest would be a second,
        // smuggled request.
        await connection.SendAsync(RawConnection.Head("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n")
            + $"{body.Length:x}\r\n{body}\r\n0\r\n\r\n");
        var received = await connection.ReadToCloseAsync(TimeSpan.FromSeconds(30));

        // Kestrel reads the body as chunked (RFC 9112 §6.3: Transfer-Encoding overrides Content-Length) and closes the
        // connection after the answer, as the RFC asks: one answer, never a second request, never 500.
        Assert.StartsWith("HTTP/1.1 200", received.StatusLine);
        Assert.Contains("Connection: close", received.Text);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(received.Text, "HTTP/1.1 "));
        await service.AssertCountedOnceAsync(before, "200");
        Assert.Contains(" INF] ", await service.WaitForLogLineAsync(mark, "HTTP POST /attend responded 200"));
        service.AssertQuietLog(mark);
    }
}

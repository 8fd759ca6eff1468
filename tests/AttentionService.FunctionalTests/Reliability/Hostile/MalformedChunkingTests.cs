using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// Chunked bodies Kestrel cannot parse: each is the client's fault, answered 400 problem+json (431 for a trailer over
/// the header size limit), logged as one Information request line without a stack trace, and counted with the status
/// sent. Before, each was an ERR "responded 500" with a stack trace, counted as 200.
/// </summary>
public sealed class MalformedChunkingTests
{
    [Theory]
    [InlineData("letters for a size", "zz\r\n{}\r\n0\r\n\r\n")]
    [InlineData("a negative size", "-1\r\n{}\r\n0\r\n\r\n")]
    [InlineData("a 16-digit size", "1000000000000000\r\n{}\r\n0\r\n\r\n")]
    [InlineData("no CRLF after the data", "2\r\n{}0\r\n\r\n")]
    [InlineData("no CRLF after the size", "2{}\r\n0\r\n\r\n")]
    public async Task AMalformedChunkIs400(string what, string chunks)
    {
        _ = what;
        await using var service = await HostileService.StartAsync();
        var before = await service.AttendCountsAsync();
        var mark = service.LogMark();

        using var connection = await RawConnection.OpenAsync(service.Port);
        await connection.SendAsync(RawConnection.Head("Transfer-Encoding: chunked\r\n") + chunks);
        var received = await connection.ReadToCloseAsync(TimeSpan.FromSeconds(30));

        Assert.StartsWith("HTTP/1.1 400", received.StatusLine);
        Assert.Contains("application/problem+json", received.Text);
        Assert.Contains("the request body is malformed", received.Text);
        await service.AssertCountedOnceAsync(before, "400");
        Assert.Contains(" INF] ", await service.WaitForLogLineAsync(mark, "HTTP POST /attend responded 400"));
        service.AssertQuietLog(mark);
    }

    [Fact]
    public async Task A40KilobyteTrailerIsRefused()
    {
        await using var service = await HostileService.StartAsync();
        var before = await service.AttendCountsAsync();
        var mark = service.LogMark();
        var body = HostileService.SmallBody;

        using var connection = await RawConnection.OpenAsync(service.Port);
        await connection.SendAsync(RawConnection.Head("Transfer-Encoding: chunked\r\n")
            + $"{body.Length:x}\r\n{body}\r\n0\r\nX-Trailer: {new string('t', 40 * 1024)}\r\n\r\n");
        var received = await connection.ReadToCloseAsync(TimeSpan.FromSeconds(30));

        var status = received.StatusLine.Split(' ')[1];
        Assert.True(status is "400" or "431", received.ToString());
        Assert.Contains("application/problem+json", received.Text);
        await service.AssertCountedOnceAsync(before, status);
        Assert.Contains(" INF] ", await service.WaitForLogLineAsync(mark, $"HTTP POST /attend responded {status}"));
        service.AssertQuietLog(mark);
    }
}

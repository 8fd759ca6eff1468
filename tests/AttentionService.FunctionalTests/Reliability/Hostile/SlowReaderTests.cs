using System.Text.Json;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// Attention:RequestTimeoutSeconds bounds queueing and inference, not writing the answer: a client that stops reading
/// is cut off by the minimum response data rate (Attention:Connections:MinResponseBytesPerSecond), its connection
/// aborted and counted as such; a client that pauses past the timeout but within the rate's grace gets the whole answer.
/// Before, the timeout cut the answer and ended it as a well-formed chunked 200, counted as 200.
/// </summary>
public sealed class SlowReaderTests
{
    [Fact]
    public async Task AClientThatStopsReadingGetsNoComplete200AndIsCountedAsAborted()
    {
        await using var service = await HostileService.StartAsync("--Attention:RequestTimeoutSeconds=2",
            "--Attention:Connections:MinResponseBytesPerSecond=1000000", "--Attention:Connections:MinResponseRateGraceSeconds=4");
        var before = await service.AttendCountsAsync();
        var mark = service.LogMark();

        using var connection = await RawConnection.OpenAsync(service.Port, receiveBufferBytes: 4096);
        await connection.SendAsync(LargeAnswer.Request());
        // The timeout (2 s) passes while the answer waits on this client, then the rate's grace (4 s): only then is
        // anything read, and what the server managed to send ends without the chunked body's last chunk.
        await service.WaitForLogLineAsync(mark, "HTTP POST /attend responded 200 in .*; aborted");
        var received = await connection.ReadToCloseAsync(TimeSpan.FromSeconds(60));

        Assert.StartsWith("HTTP/1.1 200", received.StatusLine);
        Assert.Contains("Transfer-Encoding: chunked", received.Text);
        Assert.False(received.Text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal), "the cut answer ended like a complete one");
        Assert.DoesNotContain("took longer than", received.Text);
        await service.AssertCountedOnceAsync(before, "aborted");
        service.AssertQuietLog(mark);
    }

    [Fact]
    public async Task AClientThatPausesPastTheRequestTimeoutGetsTheWholeAnswer()
    {
        await using var service = await HostileService.StartAsync("--Attention:RequestTimeoutSeconds=2",
            "--Attention:Connections:MinResponseRateGraceSeconds=60");
        var before = await service.AttendCountsAsync();

        using var connection = await RawConnection.OpenAsync(service.Port, receiveBufferBytes: 4096);
        await connection.SendAsync(LargeAnswer.Request() + "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        var head = await connection.ReadHeadAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("HTTP/1.1 200", head);
        // The pause is the attack: longer than the request timeout, within the rate's grace.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var received = await connection.ReadToCloseAsync(TimeSpan.FromSeconds(120));

        // The answer is whole (its chunks end, its JSON parses) and the pipelined request after it is answered too.
        var text = head + received.Text;
        var start = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        var end = text.IndexOf("\r\n0\r\n\r\n", start, StringComparison.Ordinal);
        Assert.True(end > 0, "the answer did not end");
        Assert.Contains("HTTP/1.1 200", text[end..]);
        using var answer = JsonDocument.Parse(Dechunk(text[start..(end + 7)]));
        Assert.Equal(LargeAnswer.Rows, answer.RootElement.GetProperty("context").GetArrayLength());
        await service.AssertCountedOnceAsync(before, "200");
    }

    /// <summary>The body of a chunked message whose head was already read: the chunks' data joined.</summary>
    private static string Dechunk(string chunks)
    {
        var data = new System.Text.StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = chunks.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunks[at..lineEnd], 16);
            if (size == 0) return data.ToString();
            data.Append(chunks, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }
}

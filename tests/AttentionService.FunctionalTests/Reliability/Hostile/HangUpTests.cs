using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// A client that hangs up part-way, while sending its body or while the answer streams: its work is stopped, the log
/// has one Information line ("responded 499 …; aborted" or "responded 200 …; aborted") without a stack trace, and the
/// metrics count it as code="aborted", never 200 or 500.
/// </summary>
public sealed class HangUpTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AHangUpMidUploadIsCountedAsAborted(bool reset)
    {
        await using var service = await HostileService.StartAsync();
        var before = await service.AttendCountsAsync();
        var mark = service.LogMark();

        using (var connection = await RawConnection.OpenAsync(service.Port))
        {
            await connection.SendAsync(RawConnection.Head("Content-Length: 100000\r\n") + """{"query": [[1, 2]], "values": [[1, 2], """);
            await service.WaitForMetricAsync(HostileService.AttendInProgress, 1);
            if (reset) connection.Reset();
            else connection.Close();
        }

        await service.AssertCountedOnceAsync(before, "aborted");
        Assert.Contains(" INF] ", await service.WaitForLogLineAsync(mark, "HTTP POST /attend responded 499 in .*; aborted"));
        service.AssertQuietLog(mark);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await service.Client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task AHangUpMidAnswerIsCountedAsAborted()
    {
        await using var service = await HostileService.StartAsync();
        var before = await service.AttendCountsAsync();
        var mark = service.LogMark();

        using (var connection = await RawConnection.OpenAsync(service.Port, receiveBufferBytes: 4096))
        {
            await connection.SendAsync(LargeAnswer.Request());
            Assert.StartsWith("HTTP/1.1 200", await connection.ReadHeadAsync(TimeSpan.FromSeconds(60)));
            // Unread data on close makes it a reset, as when a client process dies.
            connection.Close();
        }

        await service.AssertCountedOnceAsync(before, "aborted");
        Assert.Contains(" INF] ", await service.WaitForLogLineAsync(mark, "HTTP POST /attend responded 200 in .*; aborted"));
        service.AssertQuietLog(mark);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await service.Client.PostAsync("/attend",
            new StringContent(HostileService.SmallBody, System.Text.Encoding.UTF8, "application/json"))).StatusCode);
    }
}

using System.Diagnostics;
using System.Net;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Http;

/// <summary>SIGTERM on the real process: readiness turns false first, requests are still served while draining, then it exits cleanly.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task SigtermTurnsReadinessFalseKeepsServingThroughTheDrainThenExits()
    {
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory, "--Attention:ShutdownDrainSeconds=3");

        using (var kill = Process.Start("kill", ["-TERM", service.ProcessId.ToString()])) await kill.WaitForExitAsync();
        // Logged right after readiness turns false, at the start of the 3 s drain.
        await service.WaitForOutputAsync("readiness is now false", TimeSpan.FromSeconds(30));
        var ready = await service.Client.GetAsync("/health/ready");
        var attend = await service.Client.PostRawAsync("""{"query": [[1, 2]], "values": [[1, 2]]}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("shutting down", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, attend.StatusCode);
        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("draining for 3 s", service.Output);
    }
}

using System.Net;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Hosting;

/// <summary>Each host has its own Prometheus registry: requests on one host do not show in another's /metrics.</summary>
public sealed class MetricsIsolationTests
{
    [Fact]
    public async Task RequestsOnOneHostDoNotCountInAnothersMetrics()
    {
        using var busy = new AttentionServiceFactory();
        using var idle = new AttentionServiceFactory();
        var idleClient = idle.CreateClient();

        var response = await busy.CreateClient().PostAttendAsync(new { query = new[] { new[] { 1f, 0f } }, values = new[] { new[] { 1f, 0f }, new[] { 0f, 1f } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var busyMetrics = await busy.CreateClient().GetStringAsync("/metrics");
        var idleMetrics = await idleClient.GetStringAsync("/metrics");

        Assert.Contains("attention_inferences_total{model=\"luong-dot\",backend=\"managed\"} 1", busyMetrics);
        Assert.Contains("endpoint=\"/attend\"} 1", busyMetrics);
        Assert.DoesNotContain("attention_inferences_total{", idleMetrics);
        Assert.DoesNotContain("endpoint=\"/attend\"", idleMetrics);
        // Process and runtime series are still exported, as from prometheus-net's default registry.
        Assert.Contains("process_cpu_seconds_total", idleMetrics);
        Assert.Contains("dotnet_total_memory_bytes", idleMetrics);
    }
}

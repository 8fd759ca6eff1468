using System.Net;
using AttentionService.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// Requests whose inputs are within every input limit but whose run would hold a huge output or intermediate: the
/// service sizes the run from the model's plan before it runs and answers 413 naming the tensor and the setting,
/// without allocating it, on every backend.
/// </summary>
public sealed class OversizedRunTests
{
    /// <summary>query [64][4096][1], keys [64][1][1], values [64][1][4096]: a 3.4 MB body asking for a 4 GiB context.</summary>
    private static string FourGibContextBody(string? backend) =>
        LargeBodies.Attend(backend is null ? "" : $"\"backend\": \"{backend}\", ",
            ("query", 64, 4096, 1), ("keys", 64, 1, 1), ("values", 64, 1, 4096));

    [Theory]
    [InlineData(null)]
    [InlineData("onnx")]
    [InlineData("managed")]
    public async Task TheFourGibContextRequestIs413BeforeAnythingLargeIsAllocated(string? backend)
    {
        var events = new CapturedLogEvents();
        using var factory = new AttentionServiceFactory { ConfigureTestServices = services => services.AddSingleton<ILogEventSink>(events) };
        var client = factory.CreateClient();
        var body = FourGibContextBody(backend);
        await client.GetAsync("/health/ready");

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var response = await client.PostRawAsync(body);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge,
            "output 'context' would have 1073741824 numbers, the limit is 4194304 (Attention:Limits:MaxElements)");
        // The body, its parsed tensors and the pipeline's own buffers: tens of MB, not the 4 GiB context.
        Assert.True(allocated < 256L * 1024 * 1024, $"the refused request allocated {allocated} bytes");
        var logged = await events.RequestAsync("POST", "/attend", 413);
        Assert.Equal(LogEventLevel.Information, logged.Level);
        Assert.Null(logged.Exception);
        Assert.Matches(@"http_requests_received_total\{[^}]*code=""413""[^}]*\} 1", await client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task AnIntermediateAboveItsLimitIs413NamingIt()
    {
        using var factory = new AttentionServiceFactory();
        var client = factory.CreateClient();
        // Bahdanau scores every query-key pair through a hidden layer: [1, 2048, 2048, 64] floats (1 GiB) on the way.
        var body = LargeBodies.Attend("\"model\": \"bahdanau\", ", ("query", 1, 2048, 64), ("values", 1, 2048, 64));

        var response = await client.PostRawAsync(body);

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge,
            "would have 268435456 numbers, the limit is 67108864 (Attention:Limits:MaxIntermediateElements)");
    }
}

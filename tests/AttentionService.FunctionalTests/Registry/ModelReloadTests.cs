using System.Net;
using AttentionService.Registry;
using AttentionService.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace AttentionService.Tests.Registry;

/// <summary>
/// A reload while requests run: the new version is built beside the old and swapped in; a request that was running on
/// the old version finishes on it, and the old version's sessions are released when that request ends, not before.
/// </summary>
public sealed class ModelReloadTests : IDisposable
{
    private static readonly object Request = new
    {
        model = "swap",
        query = new[] { new[] { 1f, 2f, 3f, 4f } },
        values = new[] { new[] { 1f, 0f, 0f, 0f }, new[] { 0f, 1f, 0f, 0f }, new[] { 0f, 0f, 1f, 1f } },
    };

    private readonly ModelRepository _repository = new();

    [Fact]
    public async Task ARequestInFlightDuringTheSwapFinishesOnTheOldVersionWhichIsReleasedAfterIt()
    {
        File.Copy(RepoPaths.Model("luong-dot"), Path.Combine(_repository.Folder, "swap.onnx"));
        var gate = new GatedBackends();
        var events = new CapturedLogEvents();
        using var factory = _repository.Start(services =>
        {
            gate.Install(services);
            services.AddSingleton<ILogEventSink>(events);
        }, ("Attention:Models:SettleMilliseconds", "100"));
        var client = factory.CreateClient();
        var registry = factory.Services.GetRequiredService<ModelRegistry>();
        Assert.True(registry.TryGet("swap", out var old));
        gate.Open(1);
        var dotWeights = await WeightsAsync(await client.PostAttendAsync(Request));

        var inFlight = client.PostAttendAsync(Request);
        await gate.WaitUntilEnteredAsync(2);
        File.Copy(RepoPaths.Model("scaled-dot"), Path.Combine(_repository.Folder, "swap.onnx"), overwrite: true);
        await events.WaitForAsync(e => CapturedLogEvents.Text(e).StartsWith("Model swap reloaded (swap.onnx changed)"));
        Assert.True(registry.TryGet("swap", out var fresh));
        Assert.NotSame(old, fresh);
        Assert.True(old.TryLease(out var stillAlive), "the old version was released while a request ran on it");
        stillAlive.Dispose();

        gate.Open(2);
        var oldAnswer = await WeightsAsync(await inFlight);
        var newAnswer = await WeightsAsync(await client.PostAttendAsync(Request));

        Assert.Equal(dotWeights, oldAnswer);
        Assert.NotEqual(dotWeights, newAnswer);
        // The in-flight request's lease ends once its answer is written, just after the client has read it.
        Assert.True(SpinWait.SpinUntil(() => !old.TryLease(out var lease) || Release(lease), TimeSpan.FromSeconds(30)),
            "the old version was never released");
    }

    private static bool Release(ModelLease lease)
    {
        lease.Dispose();
        return false;
    }

    private static async Task<string> WeightsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadObjectAsync())["weights"]!.ToJsonString();
    }

    public void Dispose() => _repository.Dispose();
}

using System.Net;
using System.Text.Json.Nodes;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// Model files changed under the running service: a valid replacement is loaded and served (after one log line), a
/// garbage replacement leaves the version loaded before serving with /models saying why, a removed file takes its
/// model out of service, a new file is added.
/// </summary>
public sealed class ModelReplacedTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    // Dot scores 1, 2, 7 and scaled-dot's 0.5, 1, 3.5 give different weights.
    private static readonly object Request = new
    {
        model = "swap",
        query = new[] { new[] { 1f, 2f, 3f, 4f } },
        values = new[] { new[] { 1f, 0f, 0f, 0f }, new[] { 0f, 1f, 0f, 0f }, new[] { 0f, 0f, 1f, 1f } },
    };

    private readonly ModelRepository _repository = new();

    private string Entry(string name) => Path.Combine(_repository.Folder, name);

    [Fact]
    public async Task AReplacedFileIsReloadedAGarbageOneKeepsTheOldServingARemovedOneStopsAndANewOneIsAdded()
    {
        File.Copy(RepoPaths.Model("luong-dot"), Entry("swap.onnx"));
        File.Copy(RepoPaths.Model("scaled-dot"), Entry("scaled-dot.onnx"));
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory,
            $"--Attention:ModelsPath={_repository.Folder}", "--Attention:Models:SettleMilliseconds=200");
        var before = await WeightsAsync(service.Client, Request);
        var scaled = await WeightsAsync(service.Client, With("scaled-dot"));
        Assert.NotEqual(scaled, before);

        // A valid model with the same roles, copied in beside and renamed over the old file, as deployments do.
        File.Copy(RepoPaths.Model("scaled-dot"), Entry("swap.onnx.partial"));
        File.Move(Entry("swap.onnx.partial"), Entry("swap.onnx"), overwrite: true);
        await service.WaitForOutputAsync("Model swap reloaded (swap.onnx changed)", Wait);
        Assert.Equal(scaled, await WeightsAsync(service.Client, Request));

        // Garbage written in place: the scaled-dot version keeps serving, and /models says why the file was not loaded.
        await File.WriteAllBytesAsync(Entry("swap.onnx"), "not a model"u8.ToArray());
        await service.WaitForOutputAsync("Model swap not reloaded (swap.onnx changed)", Wait);
        Assert.Equal(scaled, await WeightsAsync(service.Client, Request));
        var modelsBody = await service.Client.GetStringAsync("/models/swap");
        var swap = JsonNode.Parse(modelsBody)!;
        Assert.True((bool)swap["ready"]!);
        Assert.StartsWith("swap.onnx: not an ONNX model", (string?)swap["reloadError"]!["reason"]);
        Assert.NotNull((string?)swap["reloadError"]!["at"]);
        Assert.DoesNotContain(_repository.Folder, modelsBody);
        Assert.Contains(" WRN]", Line(service.Output, "Model swap not reloaded"));

        File.Delete(Entry("swap.onnx"));
        await service.WaitForOutputAsync("Model swap removed", Wait);
        var removed = await service.Client.PostAttendAsync(Request);
        await Problems.AssertProblemAsync(removed, HttpStatusCode.ServiceUnavailable, "model 'swap' failed to load: swap.onnx was removed from the models folder");

        File.Copy(RepoPaths.Model("scaled-dot"), Entry("fresh.onnx"));
        await service.WaitForOutputAsync("Model fresh added (fresh.onnx added)", Wait);
        Assert.Equal(scaled, await WeightsAsync(service.Client, With("fresh")));
    }

    [Fact]
    public async Task AChangedConfigIsReloaded()
    {
        File.Copy(RepoPaths.Model("luong-dot"), Entry("swap.onnx"));
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory,
            $"--Attention:ModelsPath={_repository.Folder}", "--Attention:Models:SettleMilliseconds=200");

        _repository.WriteConfig("swap", """{"description": "reloaded with its config"}""");
        await service.WaitForOutputAsync("Model swap reloaded (swap.json added)", Wait);

        var swap = JsonNode.Parse(await service.Client.GetStringAsync("/models/swap"))!;
        Assert.Equal("reloaded with its config", (string?)swap["description"]);
    }

    [Fact]
    public async Task AKubernetesConfigMapStyleSymlinkSwapIsReloaded()
    {
        // A ConfigMap volume: swap.onnx -> ..data/swap.onnx, ..data -> ..v1; an update writes ..v2 and renames a new
        // ..data link over the old one, so swap.onnx itself never changes, only what it leads to.
        Directory.CreateDirectory(Entry("..v1"));
        Directory.CreateDirectory(Entry("..v2"));
        File.Copy(RepoPaths.Model("luong-dot"), Entry("..v1/swap.onnx"));
        File.Copy(RepoPaths.Model("scaled-dot"), Entry("..v2/swap.onnx"));
        File.CreateSymbolicLink(Entry("..data"), "..v1");
        File.CreateSymbolicLink(Entry("swap.onnx"), "..data/swap.onnx");
        File.Copy(RepoPaths.Model("scaled-dot"), Entry("scaled-dot.onnx"));
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory,
            $"--Attention:ModelsPath={_repository.Folder}", "--Attention:Models:SettleMilliseconds=200", "--Attention:Models:PollSeconds=1");
        var before = await WeightsAsync(service.Client, Request);

        File.CreateSymbolicLink(Entry("..data_tmp"), "..v2");
        using (var mv = System.Diagnostics.Process.Start("mv", ["-T", Entry("..data_tmp"), Entry("..data")])!) await mv.WaitForExitAsync();
        await service.WaitForOutputAsync("Model swap reloaded (swap.onnx changed)", Wait);

        var after = await WeightsAsync(service.Client, Request);
        Assert.NotEqual(before, after);
        Assert.Equal(await WeightsAsync(service.Client, With("scaled-dot")), after);
    }

    private static object With(string model) => new
    {
        model,
        query = new[] { new[] { 1f, 2f, 3f, 4f } },
        values = new[] { new[] { 1f, 0f, 0f, 0f }, new[] { 0f, 1f, 0f, 0f }, new[] { 0f, 0f, 1f, 1f } },
    };

    private static async Task<string> WeightsAsync(HttpClient client, object request)
    {
        var response = await client.PostAttendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadObjectAsync())["weights"]!.ToJsonString();
    }

    private static string Line(string output, string text) =>
        output.Split('\n').First(line => line.Contains(text, StringComparison.Ordinal));

    public void Dispose() => _repository.Dispose();
}

using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AttentionService.Tests.Support;
using static AttentionService.Tests.Support.AttendClient;

namespace AttentionService.Tests.Deployment;

/// <summary>The managed-only publish for musl exactly as docs/deployment.md writes it, published once for the class.</summary>
public sealed class MuslManagedOnlyPublish : IDisposable
{
    public const string Heading = "## Managed-only publish (musl)";

    public PublishExample Example { get; } = PublishExample.Under("docs/deployment.md", Heading).Publish();

    public void Dispose() => Example.Dispose();
}

/// <summary>
/// <c>-p:ManagedOnly=true</c> with <c>-r linux-musl-x64</c>: no native ONNX Runtime and no library that needs glibc in
/// the output, and the same DLLs, run by this machine's <c>dotnet</c>, serve every model on the managed backend and say
/// once, at start, that onnx is not available.
/// </summary>
[Collection(PublishCollection.Name)]
[Trait("Category", "Published")]
public sealed class ManagedOnlyPublishTests(MuslManagedOnlyPublish publish) : IClassFixture<MuslManagedOnlyPublish>
{
    private string Output => publish.Example.Output;

    [Fact]
    public void TheDocsExampleIsTheMuslManagedOnlyPublish()
    {
        Assert.Equal(["-r", "linux-musl-x64", "-p:ManagedOnly=true"], publish.Example.PublishArguments);
        Assert.Contains("publish: ", publish.Example.Result!.StandardOutput);
        Assert.Contains("(linux-musl-x64, ", publish.Example.Result!.StandardOutput);
    }

    [Fact]
    public void ThePublishCarriesNoOnnxRuntimeAndNoLibraryThatNeedsGlibc()
    {
        var files = Directory.GetFiles(Output, "*", SearchOption.AllDirectories);
        var elves = files.Where(ElfFile.IsElf).Select(ElfFile.Read).ToList();

        Assert.DoesNotContain(files, f => Path.GetFileName(f).StartsWith("libonnxruntime", StringComparison.Ordinal));
        Assert.Empty(elves.Where(e => e.NeedsGlibc).Select(e => $"{Path.GetRelativePath(Output, e.Path)} needs {e.Interpreter} {string.Join(", ", e.Needed)}"));
        // The one native file is the app host, built for musl: the scan did read it.
        var host = Assert.Single(elves);
        Assert.Equal("AttentionService", Path.GetRelativePath(Output, host.Path));
        Assert.Equal("/lib/ld-musl-x86_64.so.1", host.Interpreter);
        Assert.Contains("libc.musl-x86_64.so.1", host.Needed);
        Assert.Contains(files, f => Path.GetFileName(f) == "Microsoft.ML.OnnxRuntime.dll");
        // The managed binding alone, at the version the CPU and GPU builds use.
        var packages = DepsJson.Packages(Path.Combine(Output, "AttentionService.deps.json"));
        Assert.Equal(DepsJson.OnnxRuntimeVersion, packages["Microsoft.ML.OnnxRuntime.Managed"]);
        Assert.DoesNotContain(packages.Keys, p => p.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal) && p != "Microsoft.ML.OnnxRuntime.Managed");
    }

    [Fact]
    public async Task ItServesEveryModelOnManagedAndSaysOnceAtStartThatOnnxIsNotAvailable()
    {
        await using var service = await ServiceProcess.StartAsync(Output, publish.Example.RunArguments);

        var answer = await service.Client.PostRawAsync(
            """{"query": [[1, 0, 1, 0], [0, 1, 0, 1]], "values": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]}""");
        var text = await service.Client.PostRawAsync("""{"model": "dates", "source": "24 November 2026"}""");
        var forced = await service.Client.PostRawAsync("""{"query": [[1, 0]], "values": [[1, 0]], "backend": "onnx"}""");
        var models = JsonNode.Parse(await service.Client.GetStringAsync("/models"))!["models"]!.AsArray();
        var ready = await service.Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var body = await answer.ReadObjectAsync();
        Assert.Equal("managed", (string?)body["backend"]);
        Assert.Equal([0.42231882f, 0.15536241f, 0.42231882f], Matrix(body["weights"])[0]);
        Assert.Equal("2026-11-24", (string?)(await text.ReadObjectAsync())["output"]);
        await Problems.AssertProblemAsync(forced, HttpStatusCode.ServiceUnavailable, "this build carries no native ONNX Runtime");
        Assert.NotEmpty(models);
        foreach (var model in models)
        {
            Assert.True((bool)model!["ready"]!, $"{model["name"]} is not ready: {model}");
            var onnx = model["backends"]!.AsArray().Single(b => (string?)b!["name"] == "onnx")!;
            Assert.False((bool)onnx["ready"]!);
            Assert.StartsWith("this build carries no native ONNX Runtime (published with -p:ManagedOnly=true)", (string?)onnx["reason"]);
        }
        // Auto with onnx absent serves on managed: ready and Healthy, the absence named in the backends check.
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var readiness = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal("Healthy", (string?)readiness["status"]);
        Assert.StartsWith("this build carries no native ONNX Runtime", (string?)readiness["checks"]!["backends"]!["unavailable"]!["onnx"]);
        // One line, at start; no model, request or probe says it again, and no exception is logged.
        Assert.Single(Regex.Matches(service.Output, "Backend onnx is not available: this build carries no native ONNX Runtime"));
        Assert.DoesNotContain("has no onnx backend", service.Output);
        Assert.DoesNotContain("Fallback", service.Output);
        Assert.DoesNotContain("Exception", service.Output);
    }

    [Fact]
    public async Task AnOnnxOnlyPolicyStopsTheStartWithOneLine()
    {
        var (exitCode, _, stderr) = await ServiceProcess.RunToExitAsync(Output, TimeSpan.FromSeconds(120), "--Attention:Backend=Onnx");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr, l => l.Length > 0);
        Assert.StartsWith("AttentionService cannot start: Attention:Backend is Onnx, but the onnx backend is not available: " +
            "this build carries no native ONNX Runtime (published with -p:ManagedOnly=true)", line);
        Assert.EndsWith("allowed here: Auto, Managed", line);
    }
}

using System.Net;
using System.Reflection.PortableExecutable;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>The GPU publish exactly as the README's GPU section writes it, published once for the class.</summary>
public sealed class GpuPublish : IDisposable
{
    public const string Heading = "### GPU";

    public PublishExample Example { get; } = PublishExample.Under("README.md", Heading).Publish();

    public void Dispose() => Example.Dispose();
}

/// <summary>
/// <c>-p:OnnxRuntimeGpu=true</c>: ONNX Runtime's CUDA build with Linux natives only, on the same ONNX Runtime version as
/// the CPU build; run with <c>ExecutionProvider=Cuda</c> on a machine whose CUDA provider cannot load (this one has no
/// CUDA libraries), it serves on the CPU provider and readiness says Degraded, with the provider's failure.
/// </summary>
[Collection(PublishCollection.Name)]
[Trait("Category", "Published")]
public sealed class GpuPublishTests(GpuPublish publish) : IClassFixture<GpuPublish>
{
    private string Output => publish.Example.Output;

    [Fact]
    public void TheGpuPublishCarriesLinuxNativesOnly()
    {
        var files = Directory.GetFiles(Output, "*", SearchOption.AllDirectories);

        Assert.Equal(["-p:OnnxRuntimeGpu=true"], publish.Example.PublishArguments);
        var cuda = ElfFile.Read(Assert.Single(files, f => Path.GetFileName(f) == "libonnxruntime_providers_cuda.so"));
        // The CUDA major version the base image must provide (docs/deployment.md, GPU profile).
        Assert.Contains("libcudart.so.13", cuda.Needed);
        Assert.Contains("libcublasLt.so.13", cuda.Needed);
        Assert.Empty(Directory.GetDirectories(Output, "win-*", SearchOption.AllDirectories));
        Assert.Empty(files.Where(f => f.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !IsManagedAssembly(f))
            .Select(f => Path.GetRelativePath(Output, f)));
    }

    [Fact]
    public void TheCpuAndGpuBuildsResolveOneOnnxRuntimeVersion()
    {
        var props = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Packages.props"));
        var version = DepsJson.OnnxRuntimeVersion;
        var onnxPackages = props.Descendants("PackageVersion")
            .Where(p => ((string)p.Attribute("Include")!).StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal))
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        // What the restores resolved: the GPU publish's and this (CPU) build's dependency files.
        var gpu = DepsJson.Packages(Path.Combine(Output, "AttentionService.deps.json"));
        var cpu = DepsJson.Packages(Path.Combine(AppContext.BaseDirectory, "AttentionService.FunctionalTests.deps.json"));

        Assert.Equal("1.31.0", version);
        Assert.Equal(["Microsoft.ML.OnnxRuntime", "Microsoft.ML.OnnxRuntime.Gpu.Linux", "Microsoft.ML.OnnxRuntime.Managed"], onnxPackages.Keys.Order());
        Assert.All(onnxPackages.Values, v => Assert.Equal("$(OnnxRuntimeVersion)", v));
        Assert.Equal(version, gpu["Microsoft.ML.OnnxRuntime.Gpu.Linux"]);
        Assert.Equal(version, gpu["Microsoft.ML.OnnxRuntime.Managed"]);
        Assert.DoesNotContain("Microsoft.ML.OnnxRuntime", gpu.Keys);
        Assert.DoesNotContain(gpu.Keys, p => p is "Microsoft.ML.OnnxRuntime.Gpu" or "Microsoft.ML.OnnxRuntime.Gpu.Windows");
        Assert.Equal(version, cpu["Microsoft.ML.OnnxRuntime"]);
        Assert.Equal(version, cpu["Microsoft.ML.OnnxRuntime.Managed"]);
    }

    [Fact]
    public async Task ACudaProviderThatCannotLoadLeavesItServingOnCpuAndReadyDegradedWithTheReason()
    {
        Assert.Contains("--Attention:OnnxRuntime:ExecutionProvider=Cuda", publish.Example.RunArguments);
        await using var service = await ServiceProcess.StartAsync(Output, publish.Example.RunArguments);

        var answer = await service.Client.PostRawAsync("""{"query": [[1, 2]], "values": [[1, 2]], "backend": "onnx"}""");
        var model = JsonNode.Parse(await service.Client.GetStringAsync("/models/luong-dot"))!;
        var readiness = JsonNode.Parse(await service.Client.GetStringAsync("/health/ready"))!;
        await service.Client.GetStringAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("onnx", (string?)(await answer.ReadObjectAsync())["backend"]);
        Assert.EndsWith("on CPU", (string?)model["backends"]![0]!["description"]);
        Assert.Equal("Degraded", (string?)readiness["status"]);
        var reason = (string?)readiness["checks"]!["backends"]!["unavailable"]!["onnx"];
        Assert.StartsWith("Attention:OnnxRuntime:ExecutionProvider is Cuda, but ONNX Runtime cannot use CUDA:0: ", reason);
        // The GPU package itself loaded: what failed is the CUDA provider's library, for want of a CUDA library.
        Assert.Contains("libonnxruntime_providers_cuda.so: ", reason);
        Assert.Contains("cannot open shared object file", reason);
        // Said once at start, not per model and not per readiness probe.
        Assert.Single(Regex.Matches(service.Output, "cannot use CUDA:0"));
    }

    private static bool IsManagedAssembly(string path)
    {
        using var reader = new PEReader(File.OpenRead(path));
        return reader.HasMetadata;
    }
}

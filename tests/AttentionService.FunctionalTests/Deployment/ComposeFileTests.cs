using System.Text.Json;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>docker-compose.yml as Debian's docker-compose resolves it (`docker-compose config`).</summary>
public sealed class ComposeFileTests
{
    // The base-image variables are pinned so a developer's own exports cannot change what is checked.
    private static readonly Dictionary<string, string> Unset = new()
    {
        ["SDK_IMAGE"] = "", ["RUNTIME_IMAGE"] = "", ["GPU_RUNTIME_IMAGE"] = "",
    };

    private static JsonElement ResolvedServices(string[] profileArguments, Dictionary<string, string>? environment = null)
    {
        var result = ExternalCommand.Run("docker-compose",
            [.. profileArguments, "-f", Path.Combine(RepoPaths.Root, "docker-compose.yml"), "config"],
            TimeSpan.FromMinutes(2), environment: environment ?? Unset);
        Assert.True(result.ExitCode == 0, $"docker-compose config rejected the file: {result.Transcript}");
        return Assert.Single(YamlDocuments.Parse(result.StandardOutput)).GetProperty("services");
    }

    private static string Text(JsonElement element, params string[] path) =>
        path.Aggregate(element, (e, name) => e.GetProperty(name)).ToString();

    [RequiresExecutableFact("docker-compose")]
    public void CpuServiceServesPort8080OnAReadOnlyRootWithReadOnlyModelsJsonLogsAndTheShellFreeHealthProbe()
    {
        var service = ResolvedServices([]).GetProperty("attention");

        Assert.Equal(RepoPaths.Root, Text(service, "build", "context"));
        Assert.False(service.GetProperty("build").GetProperty("args").TryGetProperty("PUBLISH_ARGS", out _));
        var port = Assert.Single(service.GetProperty("ports").EnumerateArray());
        Assert.Equal("8080", Text(port, "target"));
        Assert.Equal("8080", Text(port, "published"));
        Assert.Contains(service.GetProperty("volumes").EnumerateArray(),
            v => v.GetString() == $"{Path.Combine(RepoPaths.Root, "models")}:/app/models:ro");
        Assert.Equal("Json", Text(service, "environment", "Attention__LogFormat"));
        Assert.Equal("[\"CMD\",\"dotnet\",\"/app/AttentionService.HealthProbe.dll\"]",
            JsonSerializer.Serialize(service.GetProperty("healthcheck").GetProperty("test")));
        Assert.True(service.GetProperty("read_only").GetBoolean(), "the root file system is read-only");
        Assert.Equal("[\"/tmp\"]", JsonSerializer.Serialize(service.GetProperty("tmpfs")));
    }

    [RequiresExecutableFact("docker-compose")]
    public void GpuProfileBuildsTheCudaRuntimeAndReservesNvidiaDevices()
    {
        var service = ResolvedServices(["--profile", "gpu"]).GetProperty("attention-gpu");

        Assert.Equal("[\"gpu\"]", JsonSerializer.Serialize(service.GetProperty("profiles")));
        Assert.Equal("-p:OnnxRuntimeGpu=true", Text(service, "build", "args", "PUBLISH_ARGS"));
        Assert.Equal("Cuda", Text(service, "environment", "Attention__OnnxRuntime__ExecutionProvider"));
        Assert.Equal("Json", Text(service, "environment", "Attention__LogFormat"));
        Assert.Contains(service.GetProperty("volumes").EnumerateArray(),
            v => v.GetString()!.EndsWith(":/app/models:ro", StringComparison.Ordinal));
        var device = Assert.Single(service.GetProperty("deploy").GetProperty("resources").GetProperty("reservations")
            .GetProperty("devices").EnumerateArray());
        Assert.Equal("nvidia", Text(device, "driver"));
        Assert.Contains(device.GetProperty("capabilities").EnumerateArray(), c => c.GetString() == "gpu");
        Assert.Equal("[\"CMD\",\"dotnet\",\"/app/AttentionService.HealthProbe.dll\"]",
            JsonSerializer.Serialize(service.GetProperty("healthcheck").GetProperty("test")));
    }

    [RequiresExecutableFact("docker-compose")]
    public void BaseImagesDefaultToTheOfficialImagesAndCanBeOverriddenFromTheEnvironment()
    {
        var defaults = ResolvedServices([]).GetProperty("attention").GetProperty("build").GetProperty("args");
        var local = ResolvedServices([], new()
        {
            ["SDK_IMAGE"] = "attention-local/sdk:10.0", ["RUNTIME_IMAGE"] = "attention-local/aspnet-chiseled:10.0",
            ["GPU_RUNTIME_IMAGE"] = "",
        }).GetProperty("attention").GetProperty("build").GetProperty("args");

        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", Text(defaults, "SDK_IMAGE"));
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", Text(defaults, "RUNTIME_IMAGE"));
        Assert.Equal("attention-local/sdk:10.0", Text(local, "SDK_IMAGE"));
        Assert.Equal("attention-local/aspnet-chiseled:10.0", Text(local, "RUNTIME_IMAGE"));
    }
}

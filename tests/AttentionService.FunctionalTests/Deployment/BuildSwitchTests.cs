using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>The ONNX Runtime build switches: a managed-only build carries no native library, so it cannot be the CUDA build.</summary>
[Collection(PublishCollection.Name)]
[Trait("Category", "Published")]
public sealed class BuildSwitchTests
{
    [Fact]
    public void ManagedOnlyWithOnnxRuntimeGpuIsRefusedByTheBuild()
    {
        var result = ExternalCommand.Run("dotnet",
            ["restore", Path.Combine(RepoPaths.Root, "src", "AttentionService.Backends.OnnxRuntime"), "-p:ManagedOnly=true", "-p:OnnxRuntimeGpu=true", "-nologo"],
            TimeSpan.FromMinutes(5));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("-p:ManagedOnly=true carries no native ONNX Runtime, so it cannot be combined with -p:OnnxRuntimeGpu=true",
            result.StandardOutput + result.StandardError);
    }
}

using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>scripts/smoke-published.sh: the app as scripts/publish.sh ships it, with and without the native runtime.</summary>
[Collection(PublishCollection.Name)]
public sealed class PublishedAppSmokeTests
{
    [Fact]
    [Trait("Category", "Published")]
    public void PublishedAppFallsBackToManagedWithTheSameNumbersWhenNativeOnnxRuntimeIsDeleted()
    {
        var result = ExternalCommand.Run("bash", [Path.Combine(RepoPaths.Root, "scripts", "smoke-published.sh")], TimeSpan.FromMinutes(10));

        Assert.True(result.ExitCode == 0, result.Transcript);
        Assert.Contains("PASS POST /attend ran on backend \"onnx\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("PASS POST /attend fell back to backend \"managed\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("PASS managed answer equals the onnx answer", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("PASS the app said once, at start, that onnx is not available", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL ", result.StandardOutput, StringComparison.Ordinal);
    }
}

using System.Net;
using AttentionService.Tests.Reference;
using AttentionService.Tests.Support;
using static AttentionService.Tests.Support.AttendClient;

namespace AttentionService.Tests.Http;

/// <summary>
/// The app run as its own process from a copy of its build output with ONNX Runtime's native library deleted: it
/// still starts, reports why onnx is unavailable, and answers /attend from the managed backend with the same numbers.
/// </summary>
public sealed class NativeLibraryMissingTests : IDisposable
{
    private readonly string _app = Path.Combine(Path.GetTempPath(), "attention-no-ort-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ServiceWithoutLibOnnxRuntimeAnswersFromManagedWithTheReferenceNumbers()
    {
        CopyDirectory(AppContext.BaseDirectory, _app);
        var deleted = Directory.GetFiles(_app, "libonnxruntime*", SearchOption.AllDirectories);
        Assert.NotEmpty(deleted);
        foreach (var file in deleted) File.Delete(file);
        var rng = new Random(3);
        var query = ReferenceAttention.Random(rng, 5, 64);
        var values = ReferenceAttention.Random(rng, 9, 64);

        // ONNX Runtime first at every size: the request goes straight to managed, since onnx never loaded.
        await using var service = await ServiceProcess.StartAsync(_app, "--Attention:AutoManagedMaxScores=0");
        var response = await service.Client.PostAttendAsync(new { query, values });
        var model = await (await service.Client.GetAsync("/models/luong-dot")).ReadObjectAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadObjectAsync();
        Assert.Equal("managed", (string?)body["backend"]);
        var (context, weights) = ReferenceAttention.DotProduct(query, values, values);
        Numerics.AssertClose(context, Matrix(body["context"]), AttendEndpointTests.Tolerance);
        Numerics.AssertClose(weights, Matrix(body["weights"]), AttendEndpointTests.Tolerance);
        var onnx = model["backends"]!.AsArray().Single(b => (string?)b!["name"] == "onnx")!;
        Assert.False((bool)onnx["ready"]!);
        Assert.Contains("native library", (string?)onnx["reason"]);
        // Said once for the process, at start, before any model: no model tries onnx, and no request does.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(service.Output, "Backend onnx is not available: ONNX Runtime's native library could not be loaded"));
        Assert.DoesNotContain("has no onnx backend", service.Output);
        Assert.DoesNotContain("Fallback for model luong-dot", service.Output);
        // Under Auto the managed backend serves: ready and healthy, with the absence named.
        var readiness = await (await service.Client.GetAsync("/health/ready")).ReadObjectAsync();
        Assert.Equal("Healthy", (string?)readiness["status"]);
        Assert.Contains("native library", (string?)readiness["checks"]!["backends"]!["unavailable"]!["onnx"]);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    public void Dispose()
    {
        if (Directory.Exists(_app)) Directory.Delete(_app, recursive: true);
    }
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AttentionService.Tests.Http;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// The managed-only image (<c>--build-arg PUBLISH_ARGS=-p:ManagedOnly=true</c>), run as ContainerImageTests run every
/// image: no native ONNX Runtime in it (ContainerImageTests), the managed backend serving every model, and onnx reported
/// not available, once in the log at start and in readiness and /models.
/// </summary>
public sealed partial class ManagedOnlyImageTests(RunningImages images) : IClassFixture<RunningImages>
{
    public static TheoryData<string> Images() => ContainerImages.Images(ContainerImages.ManagedOnly);

    [RequiresContainerImagesTheory(ContainerImages.Managed)]
    [MemberData(nameof(Images))]
    public async Task EveryModelIsReadyOnTheManagedBackendWithOnnxNotAvailable(string image)
    {
        var (container, health) = await images.GetAsync(image);
        Assert.True(health == "health_status: healthy", $"{image}: {health}\n{container.Logs()}");
        using var client = new HttpClient { BaseAddress = container.BaseAddress };

        var models = (await client.GetObjectAsync("/models"))["models"]!.AsArray();
        using var readiness = await client.GetAsync("/health/ready");

        Assert.NotEmpty(models);
        foreach (var model in models)
        {
            var name = model!["name"]!.GetValue<string>();
            var backends = model["backends"]!.AsArray().ToDictionary(b => b!["name"]!.GetValue<string>());
            Assert.True(model["ready"]!.GetValue<bool>(), $"model {name} is not ready: {model["reason"]}");
            Assert.True(backends["managed"]!["ready"]!.GetValue<bool>(), $"model {name}: managed is not ready: {backends["managed"]!["reason"]}");
            Assert.False(backends["onnx"]!["ready"]!.GetValue<bool>(), $"model {name}: onnx is ready in a managed-only image");
            Assert.False(string.IsNullOrEmpty(backends["onnx"]!["reason"]?.GetValue<string>()), $"model {name}: onnx has no reason");
        }
        Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
        Assert.Contains("onnx: unavailable", await readiness.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [RequiresContainerImagesTheory(ContainerImages.Managed)]
    [MemberData(nameof(Images))]
    public async Task TheStartLogSaysOnceThatOnnxIsNotAvailable(string image)
    {
        var (container, _) = await images.GetAsync(image);

        var lines = container.Logs().Split('\n').Where(l => l.Contains("is not available", StringComparison.Ordinal)
                                                            && l.Contains("\"Backend\":\"onnx\"", StringComparison.Ordinal));

        Assert.Single(lines);
    }

    [RequiresContainerImagesTheory(ContainerImages.Managed)]
    [MemberData(nameof(Images))]
    public async Task EveryDocsExampleAnswersOnTheManagedBackendWithTheReadmesWeights(string image)
    {
        var (container, _) = await images.GetAsync(image);
        using var client = new HttpClient { BaseAddress = container.BaseAddress };

        foreach (var row in DocsExamplesTests.Examples())
        {
            var (file, weights) = ((string)row[0], (string)row[1]);
            var body = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "examples", file));
            using var response = await client.PostAsync("/attend", new StringContent(body, Encoding.UTF8, "application/json"));
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{file}: {(int)response.StatusCode} {answer.ToJsonString()}");
            Assert.Equal("managed", answer["backend"]!.GetValue<string>());
            var (shape, actual) = FixtureRequests.Flatten(answer["weights"]!);
            var (expectedShape, expected) = FixtureRequests.Flatten(JsonNode.Parse(weights)!);
            Assert.Equal(expectedShape, shape);
            Numerics.AssertClose(expected, actual.Select(x => (float)x).ToArray(), 1e-5, file);
        }
    }

    [RequiresContainerImagesTheory(ContainerImages.Managed)]
    [MemberData(nameof(Images))]
    public async Task TheSeq2SeqModelDecodesTheReadmesDateOnTheManagedBackend(string image)
    {
        var (container, _) = await images.GetAsync(image);
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var example = DatesExample().Match(readme);
        Assert.True(example.Success, "README.md has no curl example for the dates model followed by its output");
        using var client = new HttpClient { BaseAddress = container.BaseAddress };

        using var response = await client.PostAsync("/attend", new StringContent(example.Groups["body"].Value, Encoding.UTF8, "application/json"));

        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("managed", answer["backend"]!.GetValue<string>());
        Assert.Equal(example.Groups["output"].Value, answer["output"]!.GetValue<string>());
    }

    [GeneratedRegex(@"-d '(?<body>\{""model"":""dates"",""source"":""[^']*)'.*?""output"":""(?<output>[^""]*)""", RegexOptions.Singleline)]
    private static partial Regex DatesExample();
}

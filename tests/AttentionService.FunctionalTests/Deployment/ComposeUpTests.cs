using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// The README's <c>docker-compose up</c>, as written, on the image .ci/run built: the compose file's own network and
/// port mapping (8080 on the host), its read-only root and models mount, its health check, and <c>docker-compose
/// down</c> within the stop budget.
/// </summary>
public sealed class ComposeUpTests
{
    private const string Project = "attention-compose-ci";
    private const int PublishedPort = 8080;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    [RequiresContainerImagesTheory(ContainerImages.Cpu)]
    [InlineData(ContainerImages.Cpu)]
    public async Task DockerComposeUpServesTheReadmesAttendExampleOnPort8080(string image)
    {
        var startedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        try
        {
            // --no-build: the image .ci/run built is the compose file's `image:`; a build here would pull the official bases.
            var up = Compose("up", "--detach", "--no-build");
            Assert.True(up.ExitCode == 0, up.Transcript);
            var id = Compose("ps", "-q", "attention").StandardOutput.Trim();
            Assert.False(string.IsNullOrEmpty(id), "docker-compose ps lists no attention container");
            var container = DockerContainer.Attach(id, PublishedPort, startedAt);
            Assert.Equal(image, container.Inspect("{{.Config.Image}}"));

            var health = await container.WaitForHealthAsync(TimeSpan.FromMinutes(2));
            Assert.True(health == "health_status: healthy", $"{health}\n{container.Logs()}");
            Assert.Equal("true", container.Inspect("{{.HostConfig.ReadonlyRootfs}}"));

            var (path, body, expected) = ContainerImageTests.ReadmeAttendExample();
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{PublishedPort}") };
            using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(JsonNode.DeepEquals(expected, answer), $"README: {expected.ToJsonString()}\ncompose: {answer?.ToJsonString()}");
        }
        finally
        {
            var down = Compose("down", "--timeout", "45");
            Assert.True(down.ExitCode == 0, down.Transcript);
        }
    }

    private static ExternalCommand.Result Compose(params string[] arguments) =>
        ExternalCommand.Run("docker-compose", ["-p", Project, "-f", Path.Combine(RepoPaths.Root, "docker-compose.yml"), .. arguments], CommandTimeout);
}

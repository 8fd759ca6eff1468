using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AttentionService.Configuration;
using AttentionService.Hosting;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// The images .ci/run builds from the Dockerfile, run by the Docker engine as an operator runs them: read-only root
/// with a /tmp tmpfs, a memory limit, the image's own health check, <c>docker stop</c>.
/// </summary>
public sealed partial class ContainerImageTests(RunningImages images) : IClassFixture<RunningImages>
{
    public static TheoryData<string> Images() => ContainerImages.Images();

    [RequiresContainerImagesTheory]
    [MemberData(nameof(Images))]
    public async Task ItsHealthCheckReachesHealthyOnAReadOnlyRootWithoutAShell(string image)
    {
        var (container, health) = await images.GetAsync(image);

        Assert.True(health == "health_status: healthy", $"{image}: {health}\n{container.Logs()}");
        Assert.Equal("true", container.Inspect("{{.HostConfig.ReadonlyRootfs}}"));
    }

    [RequiresContainerImagesTheory]
    [MemberData(nameof(Images))]
    public async Task ItAnswersTheReadmesAttendExampleWithTheReadmesNumbers(string image)
    {
        var (container, _) = await images.GetAsync(image);
        var (path, body, expected) = ReadmeAttendExample();
        using var client = new HttpClient { BaseAddress = container.BaseAddress };

        using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(expected, answer), $"README: {expected.ToJsonString()}\n{image}: {answer?.ToJsonString()}");
    }

    [RequiresContainerImagesTheory]
    [MemberData(nameof(Images))]
    public async Task ItRunsAsUid1654NotRoot(string image)
    {
        var (container, _) = await images.GetAsync(image);
        var pid = container.Inspect("{{.State.Pid}}");

        // The app's own process as the host kernel sees it: real, effective, saved and file-system UIDs.
        var uids = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        Assert.Equal(["1654", "1654", "1654", "1654"], uids.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries).Skip(1));
    }

    [RequiresContainerImagesTheory]
    [MemberData(nameof(Images))]
    public async Task ItServesUnderItsMemoryLimitAndSizesItsBudgetToIt(string image)
    {
        var (container, _) = await images.GetAsync(image);
        var (path, body, _) = ReadmeAttendExample();
        using var client = new HttpClient { BaseAddress = container.BaseAddress };
        for (var i = 0; i < 50; i++)
        {
            using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal("running false", container.Inspect("{{.State.Status}} {{.State.OOMKilled}}"));
        // The runtime sees the container's limit, not the host's memory, and derives the memory budget from it.
        var available = AvailableBytes().Match(container.Logs());
        Assert.True(available.Success, $"no memory budget line in the log:\n{container.Logs()}");
        Assert.InRange(long.Parse(available.Groups["bytes"].Value, CultureInfo.InvariantCulture), 1, RunningImages.MemoryLimitBytes);
    }

    [RequiresContainerImagesTheory]
    [MemberData(nameof(Images))]
    public async Task DockerStopEndsItWithExitCode0WithinTheShutdownBudget(string image)
    {
        var (container, health) = await RunningImages.StartAsync(image);
        await using var _ = container;
        Assert.True(health == "health_status: healthy", $"{image}: {health}\n{container.Logs()}");
        var grace = TimeSpan.FromSeconds(ShutdownBudget.StopGraceSeconds(new AttentionOptions()));

        var clock = Stopwatch.StartNew();
        container.Stop(grace);
        clock.Stop();

        Assert.Equal("exited 0", container.Inspect("{{.State.Status}} {{.State.ExitCode}}"));
        Assert.True(clock.Elapsed < grace, $"docker stop took {clock.Elapsed.TotalSeconds:0.0} s; the budget is {grace.TotalSeconds} s");
    }

    [RequiresContainerImagesTheory]
    [MemberData(nameof(Images))]
    public void ItHasNoShellPackageManagerPerlIcuOrLocales(string image)
    {
        var files = FilesOf(image);

        Assert.Contains("/app/AttentionService.dll", files);
        Assert.Contains("/app/AttentionService.HealthProbe.dll", files);
        string[] forbiddenPrograms = ["sh", "bash", "dash", "busybox", "apt", "apt-get", "dpkg", "perl"];
        string[] programFolders = ["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin"];
        Assert.DoesNotContain(files, f => programFolders.Contains(Path.GetDirectoryName(f)) && forbiddenPrograms.Contains(Path.GetFileName(f)));
        Assert.DoesNotContain(files, f => Path.GetFileName(f).StartsWith("libicu", StringComparison.Ordinal));
        Assert.DoesNotContain(files, f => f.StartsWith("/usr/share/locale/", StringComparison.Ordinal) || f.StartsWith("/usr/lib/locale/", StringComparison.Ordinal));
    }

    [RequiresContainerImagesTheory]
    [MemberData(nameof(Images))]
    public void ItCarriesTheNativeOnnxRuntimeUnlessItIsManagedOnly(string image)
    {
        var natives = FilesOf(image).Where(f => Path.GetFileName(f).StartsWith("libonnxruntime", StringComparison.Ordinal)).ToList();

        if (ContainerImages.ManagedOnly.Contains(image))
            Assert.Empty(natives);
        else
            Assert.Contains("/app/libonnxruntime.so", natives);
    }

    [RequiresContainerImagesTheory]
    [MemberData(nameof(Images))]
    public void ItIsNoLargerThanTheReadmeSays(string image)
    {
        var bound = ReadmeSizeBoundMegabytes(image);

        var bytes = long.Parse(DockerContainer.Docker(["image", "inspect", "--format", "{{.Size}}", image]), CultureInfo.InvariantCulture);

        Assert.True(bytes <= bound * 1_000_000, $"{image} is {bytes / 1e6:0.0} MB; the README says at most {bound} MB");
    }

    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<string>>> Files = new();

    /// <summary>The image's file list, exported once for all the tests that read it.</summary>
    private static IReadOnlyList<string> FilesOf(string image) =>
        Files.GetOrAdd(image, name => new(() => DockerContainer.Files(name))).Value;

    /// <summary>The README's first <c>curl … /attend</c> example (path and body) and the JSON answer shown under it.</summary>
    internal static (string Path, string Body, JsonNode Answer) ReadmeAttendExample()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var curl = CurlAttend().Match(readme);
        Assert.True(curl.Success, "README.md has no curl example POSTing to /attend");
        var json = JsonBlock().Match(readme, curl.Index);
        return (new Uri(curl.Groups["url"].Value).AbsolutePath, curl.Groups["body"].Value, JsonNode.Parse(json.Groups["json"].Value)!);
    }

    /// <summary>The bound in the README's image-size table: <c>| `tag` | … | N MB |</c>, the last column.</summary>
    private static int ReadmeSizeBoundMegabytes(string image)
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var tag = image.EndsWith(":latest", StringComparison.Ordinal) ? image[..^":latest".Length] : image;
        var row = Regex.Match(readme, $@"^\| `{Regex.Escape(tag)}` \|.*\| at most (?<mb>\d+) MB \|$", RegexOptions.Multiline);
        Assert.True(row.Success, $"README.md has no size row for `{tag}` ending in '| at most N MB |'");
        return int.Parse(row.Groups["mb"].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"curl -s -X POST (?<url>http://\S+/attend) .*?-d '(?<body>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex CurlAttend();

    [GeneratedRegex(@"```json\n(?<json>.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [GeneratedRegex(@"""AvailableBytes"":(?<bytes>\d+)")]
    private static partial Regex AvailableBytes();
}

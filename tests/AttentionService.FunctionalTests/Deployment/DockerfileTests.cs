using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

public sealed class DockerfileTests
{
    private static readonly DockerfileInstructions Dockerfile = DockerfileInstructions.Read(Path.Combine(RepoPaths.Root, "Dockerfile"));

    [Fact]
    public void BaseImagesAreBuildArgumentsDefaultingToTheOfficialSdkAndChiseledAspnetImages()
    {
        var beforeFirstFrom = Dockerfile.All.TakeWhile(i => i.Keyword != "FROM").ToList();
        Assert.Contains(beforeFirstFrom, i => i is { Keyword: "ARG", Arguments: "SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0" });
        Assert.Contains(beforeFirstFrom, i => i is { Keyword: "ARG", Arguments: "RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled" });

        var stageNames = Dockerfile.All.Where(i => i.Stage is not null).Select(i => i.Stage!).ToHashSet();
        foreach (var from in Dockerfile.All.Where(i => i.Keyword == "FROM"))
        {
            var image = from.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            Assert.True(image is "${SDK_IMAGE}" or "${RUNTIME_IMAGE}" || stageNames.Contains(image),
                $"FROM {from.Arguments}: a stage must start from ${{SDK_IMAGE}}, ${{RUNTIME_IMAGE}} or an earlier stage");
        }
    }

    [Fact]
    public void BuildStageRestoresFromProjectFilesOnlyThenPublishesWithTheSharedScript()
    {
        var build = Dockerfile.InStage("build").ToList();
        var restore = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        var copySources = build.FindIndex(i => i is { Keyword: "COPY", Arguments: ". ." });
        var publish = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("scripts/publish.sh /app/publish", StringComparison.Ordinal));

        Assert.True(restore >= 0, "the build stage restores before copying the sources");
        Assert.True(copySources > restore, "the sources are copied after the restore layer");
        Assert.True(publish > copySources, "the build stage publishes with scripts/publish.sh");
        Assert.Contains("${PUBLISH_ARGS}", build[publish].Arguments, StringComparison.Ordinal);
        Assert.Contains("${PUBLISH_ARGS}", build[restore].Arguments, StringComparison.Ordinal);
        Assert.Contains(Dockerfile.InStage(Dockerfile.FinalStage!), i => i is { Keyword: "COPY", Arguments: "--from=build /app/publish ./" });
    }

    [Fact]
    public void TheHealthProbeIsRestoredAndPublishedBesideTheApp()
    {
        var build = Dockerfile.InStage("build").ToList();

        Assert.Contains(build, i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore src/AttentionService.HealthProbe/AttentionService.HealthProbe.csproj", StringComparison.Ordinal));
        Assert.Contains(build, i => i.Keyword == "RUN"
            && i.Arguments.Contains("dotnet publish src/AttentionService.HealthProbe/AttentionService.HealthProbe.csproj", StringComparison.Ordinal)
            && i.Arguments.Contains("-o /app/publish", StringComparison.Ordinal));
    }

    [Fact]
    public void FinalStageRunsNothingAndRunsAsNumericNonRootOnPort8080WithTheShellFreeHealthProbe()
    {
        var runtime = Dockerfile.InStage(Dockerfile.FinalStage!).ToList();

        var user = Assert.Single(runtime, i => i.Keyword == "USER").Arguments;
        var uid = Assert.Single(runtime, i => i.Keyword == "ARG" && i.Arguments.StartsWith("APP_UID=", StringComparison.Ordinal)).Arguments["APP_UID=".Length..];
        Assert.Equal("${APP_UID}", user);
        Assert.True(int.Parse(uid, System.Globalization.CultureInfo.InvariantCulture) > 0, $"APP_UID={uid} must not be root");

        Assert.Contains(runtime, i => i.Keyword == "ENV" && i.Arguments.Contains("ASPNETCORE_URLS=http://+:8080", StringComparison.Ordinal));
        Assert.Contains(runtime, i => i is { Keyword: "EXPOSE", Arguments: "8080" });
        // A chiseled base has no shell: a RUN (or a shell-form command) would fail there.
        Assert.DoesNotContain(runtime, i => i.Keyword == "RUN");
        var healthcheck = Assert.Single(runtime, i => i.Keyword == "HEALTHCHECK").Arguments;
        Assert.EndsWith("CMD [\"dotnet\", \"/app/AttentionService.HealthProbe.dll\"]", healthcheck, StringComparison.Ordinal);
    }

    [Fact]
    public void DockerignoreDropsBuildOutputButKeepsWhatTheBuildNeeds()
    {
        var patterns = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();

        Assert.Contains("**/bin/", patterns);
        Assert.Contains("**/obj/", patterns);
        foreach (var needed in new[] { "src", "models", "scripts", "global.json", "Directory.Build.props", "Directory.Packages.props" })
            Assert.DoesNotContain(patterns, p => p.TrimEnd('/') == needed || p == "*" || p == "**");
    }
}

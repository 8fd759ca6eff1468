namespace AttentionService.Tests.Deployment;

/// <summary>The images .ci/run builds from the Dockerfile and the container tests run.</summary>
public static class ContainerImages
{
    /// <summary>The default image: <c>docker build -t attention-service .</c></summary>
    public const string Cpu = "attention-service:latest";

    /// <summary><c>docker build --build-arg PUBLISH_ARGS=-p:ManagedOnly=true -t attention-service:managed .</c></summary>
    public const string Managed = "attention-service:managed";

    /// <summary>Set (to <c>true</c>) by .ci/run, as by most CI systems: there a missing engine or image fails the tests.</summary>
    public const string CiVariable = "CI";

    public static bool InCi =>
        string.Equals(Environment.GetEnvironmentVariable(CiVariable), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every image the Dockerfile makes, as the container tests run them.</summary>
    public static readonly IReadOnlyList<string> All = [Cpu, Managed];

    /// <summary>The images to test: all of them in CI; outside CI those built here.</summary>
    public static IReadOnlyList<string> Available() => InCi ? All : All.Where(image => Unavailable(image) is null).ToList();

    /// <summary>The images to test that carry no native ONNX Runtime.</summary>
    public static readonly IReadOnlyList<string> ManagedOnly = [.. All.Where(image => image == Managed)];

    public static TheoryData<string> Images(IEnumerable<string>? among = null)
    {
        var data = new TheoryData<string>();
        foreach (var image in Available().Intersect(among ?? All)) data.Add(image);
        return data;
    }

    /// <summary>Why the container tests cannot run here, or null when the engine answers and the image exists.</summary>
    public static string? Unavailable(string image)
    {
        if (ExternalCommand.Find("docker") is null)
            return "'docker' is not on PATH; .ci/run installs docker.io, starts an engine and builds the images";
        var inspect = ExternalCommand.Run("docker", ["image", "inspect", "--format", "{{.Id}}", image], TimeSpan.FromSeconds(30));
        return inspect.ExitCode == 0
            ? null
            : $"image {image} is not there (docker image inspect: {inspect.StandardError.Trim()}); .ci/run builds it, as docs/deployment.md says";
    }
}

using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// A container of a built image, run as an operator would: read-only root with a /tmp tmpfs, a memory limit, the
/// image's own HEALTHCHECK. It uses the host's network (the CI engine has no bridge) on a free loopback port, which the
/// service and its health probe are told through ASPNETCORE_URLS and HEALTHCHECK_PORT. Removed on dispose.
/// </summary>
public sealed class DockerContainer : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private DockerContainer(string id, int port, DateTimeOffset startedAt)
    {
        Id = id;
        Port = port;
        StartedAt = startedAt;
    }

    public string Id { get; }

    public int Port { get; }

    private DateTimeOffset StartedAt { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>A container someone else started (docker-compose), listening on <paramref name="port"/> of the host.</summary>
    public static DockerContainer Attach(string id, int port, DateTimeOffset startedAt) => new(id, port, startedAt);

    public static DockerContainer Run(string image, long memoryLimitBytes, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreeLoopbackPort();
        var startedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        List<string> arguments =
        [
            "run", "--detach", "--network", "host", "--read-only", "--tmpfs", "/tmp",
            "--memory", memoryLimitBytes.ToString(CultureInfo.InvariantCulture),
            "--memory-swap", memoryLimitBytes.ToString(CultureInfo.InvariantCulture),
            // The image's health command, checked often so the test does not wait out the production interval.
            "--health-interval", "1s", "--health-start-period", "60s",
            "--env", $"ASPNETCORE_URLS=http://127.0.0.1:{port}", "--env", $"HEALTHCHECK_PORT={port}",
        ];
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            arguments.AddRange(["--env", $"{name}={value}"]);
        arguments.Add(image);
        var id = Docker(arguments);
        return new DockerContainer(id, port, startedAt);
    }

    /// <summary>Waits for the engine's health_status event: healthy, or the container's death, or the timeout.</summary>
    public async Task<string> WaitForHealthAsync(TimeSpan timeout)
    {
        var start = new ProcessStartInfo("docker")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "events", "--since", StartedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                     "--filter", $"container={Id}", "--filter", "event=health_status", "--filter", "event=die",
                     "--format", "{{.Status}}",
                 })
            start.ArgumentList.Add(argument);
        using var events = Process.Start(start)!;
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await events.StandardOutput.ReadLineAsync(cancel.Token) is { } status)
            {
                if (status is "health_status: healthy" or "die")
                    return status;
            }
            return "events ended: " + await events.StandardError.ReadToEndAsync(CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            return $"no healthy or die event within {timeout.TotalSeconds:0} s; health: {Inspect("{{json .State.Health}}")}";
        }
        finally
        {
            events.Kill();
        }
    }

    public string Inspect(string format) => Docker(["inspect", "--format", format, Id]);

    public string Logs() => Docker(["logs", Id], combineErrors: true);

    /// <summary><c>docker stop -t</c>: SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    public void Stop(TimeSpan grace) =>
        Docker(["stop", "--time", ((int)grace.TotalSeconds).ToString(CultureInfo.InvariantCulture), Id]);

    public ValueTask DisposeAsync()
    {
        ExternalCommand.Run("docker", ["rm", "--force", Id], CommandTimeout);
        return ValueTask.CompletedTask;
    }

    /// <summary>Every path in the image's file system (a created, never started container exported as a tar).</summary>
    public static IReadOnlyList<string> Files(string image)
    {
        var id = Docker(["create", image]);
        try
        {
            var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add("export");
            start.ArgumentList.Add(id);
            using var export = Process.Start(start)!;
            var names = new List<string>();
            var stream = export.StandardOutput.BaseStream;
            using (var tar = new TarReader(stream, leaveOpen: true))
            {
                while (tar.GetNextEntry() is { } entry)
                    names.Add("/" + entry.Name.TrimStart('.', '/').TrimEnd('/'));
            }
            // The reader stops at the end-of-archive blocks; docker export still writes its padding, and a pipe closed
            // before that ends it with SIGPIPE (exit 141).
            stream.CopyTo(Stream.Null);
            export.WaitForExit();
            Assert.True(export.ExitCode == 0, $"docker export {id} exited with {export.ExitCode}");
            return names;
        }
        finally
        {
            ExternalCommand.Run("docker", ["rm", "--force", id], CommandTimeout);
        }
    }

    /// <summary>Runs the docker CLI, requires exit code 0, and returns its trimmed output.</summary>
    public static string Docker(IEnumerable<string> arguments, bool combineErrors = false)
    {
        var list = arguments.ToList();
        var result = ExternalCommand.Run("docker", list, CommandTimeout);
        Assert.True(result.ExitCode == 0, $"docker {string.Join(' ', list)}: {result.Transcript}");
        return (combineErrors ? result.StandardOutput + result.StandardError : result.StandardOutput).Trim();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// The models folder as an attacker (or an accident) fills it, against the real service process: FIFOs, devices,
/// sockets, directories named <c>.onnx</c>, files over the size limit, garbage, a read that hangs. The service starts
/// within a bounded time, serves the good model, lists each bad one as unavailable with its reason (file names only,
/// never the folder's absolute path), and a SIGTERM during a hung read still stops it.
/// </summary>
public sealed class ModelFileAttackTests : IDisposable
{
    private readonly ModelRepository _repository = new();

    private string Entry(string name) => Path.Combine(_repository.Folder, name);

    [Fact]
    public async Task HostileEntriesAreListedUnavailableWithTheirReasonWhileTheGoodModelServes()
    {
        Run("mkfifo", Entry("x.onnx"));
        File.CreateSymbolicLink(Entry("zero.onnx"), "/dev/zero");
        Directory.CreateDirectory(Entry("d.onnx"));
        using (var big = File.Create(Entry("big.onnx"))) big.SetLength(2 << 20);
        var garbage = new byte[4096];
        new Random(5).NextBytes(garbage);
        File.WriteAllBytes(Entry("garbage.onnx"), garbage);
        File.WriteAllBytes(Entry("empty.onnx"), []);
        File.WriteAllBytes(Entry("truncated.onnx"), File.ReadAllBytes(RepoPaths.Model("scaled-dot"))[..200]);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Entry("sock.onnx")));
        File.Copy(RepoPaths.Model("scaled-dot"), Entry("badconfig.onnx"));
        File.CreateSymbolicLink(Entry("badconfig.json"), "/dev/zero");
        File.Copy(RepoPaths.Model("scaled-dot"), Entry("bigconfig.onnx"));
        File.WriteAllText(Entry("bigconfig.json"), $"{{\"description\": \"{new string('x', 2 << 20)}\"}}");

        // StartAsync fails after 60 s without "Now listening on", or when /health/ready is not 200.
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory,
            $"--Attention:ModelsPath={_repository.Folder}", "--Attention:Limits:MaxModelBytes=1048576");
        var modelsBody = await service.Client.GetStringAsync("/models");
        var models = ByName(modelsBody);
        var readyBody = await service.Client.GetStringAsync("/health/ready");
        var attendFifo = await service.Client.PostAttendAsync(new { model = "x", query = new[] { new[] { 1f } }, values = new[] { new[] { 1f } } });
        var attendGood = await service.Client.PostAttendAsync(new { query = new[] { new[] { 1f, 0f } }, values = new[] { new[] { 1f, 0f } } });

        var expected = new Dictionary<string, string>
        {
            ["x"] = "x.onnx is a FIFO, not a regular file",
            ["zero"] = "zero.onnx is a character device, not a regular file",
            ["d"] = "d.onnx is a directory, not a regular file",
            ["sock"] = "sock.onnx is a socket, not a regular file",
            ["big"] = "big.onnx is 2097152 bytes (2 MiB), the limit is 1048576 bytes (1 MiB) (Attention:Limits:MaxModelBytes)",
            ["badconfig"] = "badconfig.json is a character device, not a regular file",
            ["bigconfig"] = "bigconfig.json is 2097171 bytes (2 MiB), the limit is 1048576 bytes (1 MiB) (the bound on model configs)",
        };
        foreach (var (name, reason) in expected)
        {
            Assert.False((bool)models[name]["ready"]!, name);
            Assert.Equal(reason, (string?)models[name]["reason"]);
            Assert.Contains(" WRN]", LineAbout(service.Output, reason));
        }
        foreach (var name in new[] { "garbage", "empty", "truncated" })
        {
            Assert.False((bool)models[name]["ready"]!, name);
            Assert.StartsWith($"{name}.onnx: not an ONNX model", (string?)models[name]["reason"]);
        }
        Assert.True((bool)models["luong-dot"]["ready"]!);
        Assert.Equal(HttpStatusCode.OK, attendGood.StatusCode);
        await Problems.AssertProblemAsync(attendFifo, HttpStatusCode.ServiceUnavailable, "model 'x' failed to load: x.onnx is a FIFO, not a regular file");
        Assert.Matches(new Regex("^http_requests_received_total\\{[^}]*code=\"503\"[^}]*\"/attend\"[^}]*\\} 1$", RegexOptions.Multiline),
            await service.Client.GetStringAsync("/metrics"));
        Assert.DoesNotContain(_repository.Folder, modelsBody);
        Assert.DoesNotContain(_repository.Folder, readyBody);
        Assert.DoesNotContain(_repository.Folder, await attendFifo.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AReadThatHangsTimesOutAndTheServiceStartsWithoutThatModel()
    {
        File.Copy(RepoPaths.Model("scaled-dot"), Entry("stalled.onnx"));
        using var lease = await FileLease.TakeAsync(Entry("stalled.onnx"));

        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory,
            $"--Attention:ModelsPath={_repository.Folder}", "--Attention:Models:LoadTimeoutSeconds=1");
        var models = ByName(await service.Client.GetStringAsync("/models"));

        Assert.False((bool)models["stalled"]["ready"]!);
        Assert.Equal("reading stalled.onnx did not finish within 1 s (Attention:Models:LoadTimeoutSeconds)", (string?)models["stalled"]["reason"]);
        Assert.True((bool)models["luong-dot"]["ready"]!);
    }

    [Fact]
    public async Task SigtermDuringAHungReadStopsTheService()
    {
        // Loaded after luong-dot (names in order), so its line says the hung read is next.
        File.Copy(RepoPaths.Model("scaled-dot"), Entry("zz-stalled.onnx"));
        using var lease = await FileLease.TakeAsync(Entry("zz-stalled.onnx"));
        await using var service = ServiceProcess.Launch(AppContext.BaseDirectory, $"--Attention:ModelsPath={_repository.Folder}");
        await service.WaitForOutputAsync("Model luong-dot loaded", TimeSpan.FromSeconds(60));

        await service.TerminateAsync();

        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Start-up stopped while loading models", service.Output);
        Assert.DoesNotContain("Now listening on", service.Output);
        Assert.DoesNotContain("Unhandled exception", service.Output);
    }

    [NotAsRootFact]
    public async Task AnUnreadableFileIsListedUnavailable()
    {
        File.Copy(RepoPaths.Model("scaled-dot"), Entry("secret.onnx"));
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(Entry("secret.onnx"), UnixFileMode.None);

        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory, $"--Attention:ModelsPath={_repository.Folder}");
        var models = ByName(await service.Client.GetStringAsync("/models"));

        Assert.Equal("secret.onnx cannot be read: permission denied", (string?)models["secret"]["reason"]);
    }

    private static Dictionary<string, JsonNode> ByName(string modelsBody) =>
        JsonNode.Parse(modelsBody)!["models"]!.AsArray().ToDictionary(m => (string)m!["name"]!, m => m!);

    private static string LineAbout(string output, string text) =>
        output.Split('\n').FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no log line says '{text}':\n{output}");

    private static void Run(string command, params string[] arguments)
    {
        using var process = Process.Start(command, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    public void Dispose() => _repository.Dispose();
}

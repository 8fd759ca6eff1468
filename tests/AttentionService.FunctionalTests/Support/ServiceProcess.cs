using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AttentionService.Tests.Support;

/// <summary>
/// The service as its own process (<c>dotnet AttentionService.dll</c>) on a free loopback port, for what cannot be
/// shown in-process, such as ONNX Runtime's native library missing. Killed on dispose.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _awaited = [];

    private ServiceProcess(Process process, Uri address)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Everything the process printed so far (for failure messages).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>
    /// Waits until the process prints a line containing <paramref name="text"/> (or has printed one already); fails
    /// with everything it printed if it exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        TaskCompletionSource seen;
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal)) return;
            seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaited.Add((text, seen));
        }
        using var cancel = new CancellationTokenSource(timeout);
        var exited = _process.WaitForExitAsync(cancel.Token);
        try
        {
            await Task.WhenAny(seen.Task, exited);
            // Exiting ends the output first, so a line printed just before the exit has been seen by now.
            if (seen.Task.IsCompleted) return;
            await exited;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the service did not print '{text}' within {timeout.TotalSeconds} s:\n{Output}");
        }
        finally
        {
            cancel.Cancel();
        }
        throw new InvalidOperationException($"the service exited with code {_process.ExitCode} before printing '{text}':\n{Output}");
    }

    /// <summary>
    /// Starts <paramref name="appFolder"/>/AttentionService.dll and returns at once, without waiting for it to listen:
    /// for start-ups that are expected not to finish by themselves (<see cref="WaitForOutputAsync"/> follows them).
    /// </summary>
    public static ServiceProcess Launch(string appFolder, params string[] arguments)
    {
        var port = FreePort();
        return Launch(StartInfo([], appFolder, port, arguments), port);
    }

    /// <summary>
    /// Starts <paramref name="appFolder"/>/AttentionService.dll, waits for Kestrel's "Now listening on" line (models load
    /// before Kestrel listens) and checks that /health/ready then answers 200.
    /// </summary>
    public static Task<ServiceProcess> StartAsync(string appFolder, params string[] arguments) => StartAsync([], appFolder, arguments);

    /// <summary>
    /// As <see cref="StartAsync(string, string[])"/>, through <paramref name="launcher"/>: a command that sets up the
    /// process's limits and then runs the rest of its command line in its place (e.g. <c>prlimit --nofile=512 --</c>).
    /// </summary>
    public static Task<ServiceProcess> StartAsync(string[] launcher, string appFolder, params string[] arguments)
    {
        var port = FreePort();
        return WhenReadyAsync(Launch(StartInfo(launcher, appFolder, port, arguments), port));
    }

    /// <summary>
    /// As <see cref="StartAsync(string, string[])"/>, but in the cgroup whose <c>cgroup.procs</c> is <paramref name="cgroupProcs"/>:
    /// a shell writes its own pid there and then becomes the service, so the runtime starts already under the limit.
    /// </summary>
    public static Task<ServiceProcess> StartInCgroupAsync(string appFolder, string cgroupProcs, params string[] arguments) =>
        StartAsync(["/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", cgroupProcs], appFolder, arguments);

    /// <summary>
    /// Like <see cref="StartAsync(string, string[])"/>, but the address comes from the environment variables
    /// <paramref name="environment"/> makes of the port (e.g. <c>ASPNETCORE_HTTP_PORTS</c>) instead of <c>--urls</c>.
    /// </summary>
    public static Task<ServiceProcess> StartWithEnvironmentAsync(string appFolder, Func<int, Dictionary<string, string>> environment, params string[] arguments)
    {
        var port = FreePort();
        var start = StartInfo([], appFolder, port, arguments);
        start.ArgumentList.Remove($"--urls=http://127.0.0.1:{port}");
        foreach (var (name, value) in environment(port)) start.Environment[name] = value;
        return WhenReadyAsync(Launch(start, port));
    }

    private static ServiceProcess Launch(ProcessStartInfo start, int port)
    {
        var service = new ServiceProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        service._process.OutputDataReceived += (_, e) => service.Append(e.Data);
        service._process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        return service;
    }

    private static async Task<ServiceProcess> WhenReadyAsync(ServiceProcess service)
    {
        try
        {
            await service.WaitForOutputAsync("Now listening on", TimeSpan.FromSeconds(60));
            var ready = await service.Client.GetAsync("/health/ready");
            if (ready.StatusCode == HttpStatusCode.OK) return service;
            throw new InvalidOperationException(
                $"the service listens but /health/ready answered {(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}\n{service.Output}");
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends SIGTERM, as a container runtime or Kubernetes does to stop the service.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>The published app in <paramref name="appFolder"/> on loopback <paramref name="port"/>, in Production, with its output captured.</summary>
    private static ProcessStartInfo StartInfo(string[] launcher, string appFolder, int port, string[] arguments)
    {
        var start = new ProcessStartInfo(launcher.Length > 0 ? launcher[0] : "dotnet")
        {
            WorkingDirectory = appFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (launcher.Length > 0)
        {
            foreach (var argument in launcher[1..]) start.ArgumentList.Add(argument);
            start.ArgumentList.Add("dotnet");
        }
        start.ArgumentList.Add(Path.Combine(appFolder, "AttentionService.dll"));
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return start;
    }

    /// <summary>
    /// Runs <paramref name="appFolder"/>/AttentionService.dll with <paramref name="arguments"/> until it exits by itself
    /// (a start-up that fails), returning its exit code and what it wrote to each stream, line by line.
    /// </summary>
    public static Task<(int ExitCode, string[] Stdout, string[] Stderr)> RunToExitAsync(string appFolder, TimeSpan timeout, params string[] arguments) =>
        RunToExitAsync(appFolder, timeout, new Dictionary<string, string>(), arguments);

    /// <summary>Like <see cref="RunToExitAsync(string, TimeSpan, string[])"/>, with <paramref name="environment"/> added to the process's.</summary>
    public static async Task<(int ExitCode, string[] Stdout, string[] Stderr)> RunToExitAsync(
        string appFolder, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = StartInfo([], appFolder, FreePort(), arguments);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the service did not exit within {timeout}:\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, Lines(await stdout), Lines(await stderr));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            for (var i = _awaited.Count - 1; i >= 0; i--)
            {
                if (!line.Contains(_awaited[i].Text, StringComparison.Ordinal)) continue;
                _awaited[i].Seen.TrySetResult();
                _awaited.RemoveAt(i);
            }
        }
    }

    /// <summary>A loopback port no one listens on now, e.g. for a second listener the test configures.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

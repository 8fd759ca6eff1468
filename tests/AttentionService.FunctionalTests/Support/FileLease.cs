using System.Diagnostics;

namespace AttentionService.Tests.Support;

/// <summary>
/// A write lease (fcntl F_SETLEASE) on a file, held by a helper process: any other process's open() of the file then
/// blocks until the lease is released or the kernel breaks it (/proc/sys/fs/lease-break-time, 45 s by default) — a real
/// read that hangs, as on a stalled network mount. Released on dispose.
/// </summary>
public sealed class FileLease : IDisposable
{
    // The holder ignores SIGIO, the signal that asks it to give the lease up, and keeps it until it is killed.
    private const string Holder = """
        import fcntl, os, signal, sys, time
        signal.signal(signal.SIGIO, signal.SIG_IGN)
        fd = os.open(sys.argv[1], os.O_RDONLY)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
        print("leased", flush=True)
        time.sleep(600)
        """;

    private readonly Process _process;

    private FileLease(Process process) => _process = process;

    /// <summary>Takes the lease on <paramref name="path"/> and returns once it is held.</summary>
    public static async Task<FileLease> TakeAsync(string path)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Holder);
        start.ArgumentList.Add(path);
        var lease = new FileLease(Process.Start(start)!);
        var line = await lease._process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line != "leased")
        {
            lease.Dispose();
            throw new InvalidOperationException($"could not take a lease on {path}: {await lease._process.StandardError.ReadToEndAsync()}");
        }
        return lease;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }
}

namespace AttentionService.Tests.Support;

/// <summary>
/// A child memory cgroup of this process's own with a memory limit, for starting the service under a real limit as a
/// container would: cgroup v1's memory controller (<c>memory.limit_in_bytes</c>, and <c>memory.memsw.limit_in_bytes</c>
/// where swap accounting exists) or cgroup v2 (<c>memory.max</c>, <c>memory.swap.max</c>). Removed on dispose, once
/// the processes in it have ended.
/// </summary>
public sealed class MemoryCgroup : IDisposable
{
    private readonly bool _v2;

    private MemoryCgroup(string path, bool v2)
    {
        Path = path;
        _v2 = v2;
    }

    /// <summary>The child's folder.</summary>
    public string Path { get; }

    /// <summary>The file a process id is written to, to move that process into this cgroup.</summary>
    public string ProcsFile => System.IO.Path.Combine(Path, "cgroup.procs");

    /// <summary>Where a writable memory cgroup of this process is, or null with the reason there is none.</summary>
    public static (string? Parent, bool V2, string? Reason) Find()
    {
        if (!File.Exists("/proc/self/cgroup")) return (null, false, "no /proc/self/cgroup (not Linux)");
        string? v1 = null, v2 = null;
        foreach (var line in File.ReadAllLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3) continue;
            if (parts[1].Split(',').Contains("memory")) v1 = "/sys/fs/cgroup/memory" + parts[2];
            else if (parts[0] == "0" && parts[1].Length == 0) v2 = "/sys/fs/cgroup" + parts[2];
        }
        if (v1 is not null && File.Exists(System.IO.Path.Combine(v1, "memory.limit_in_bytes")) && CanCreateChild(v1)) return (v1, false, null);
        if (v2 is not null && File.Exists("/sys/fs/cgroup/cgroup.controllers")
            && File.ReadAllText("/sys/fs/cgroup/cgroup.controllers").Split(' ', '\n').Contains("memory") && CanCreateChild(v2))
            return (v2, true, null);
        return (null, false, "no writable memory cgroup (cgroup v1 memory controller or cgroup v2 with memory) for this process; run as root where cgroups are writable");
    }

    /// <summary>A new child cgroup limited to <paramref name="limitBytes"/> of memory (and no swap beyond it).</summary>
    public static MemoryCgroup Create(long limitBytes)
    {
        var (parent, v2, reason) = Find();
        if (parent is null) throw new InvalidOperationException(reason);
        var cgroup = new MemoryCgroup(System.IO.Path.Combine(parent, $"attention-test-{Guid.NewGuid():N}"), v2);
        Directory.CreateDirectory(cgroup.Path);
        if (v2)
        {
            cgroup.Write("memory.max", limitBytes);
            if (File.Exists(System.IO.Path.Combine(cgroup.Path, "memory.swap.max"))) cgroup.Write("memory.swap.max", 0);
        }
        else
        {
            cgroup.Write("memory.limit_in_bytes", limitBytes);
            // memsw bounds memory and swap together, so it can only be set once the memory limit is not above it.
            if (File.Exists(System.IO.Path.Combine(cgroup.Path, "memory.memsw.limit_in_bytes"))) cgroup.Write("memory.memsw.limit_in_bytes", limitBytes);
        }
        return cgroup;
    }

    /// <summary>Times the kernel's OOM killer ended a process in this cgroup.</summary>
    public long OomKills => Counter(_v2 ? "memory.events" : "memory.oom_control", "oom_kill");

    /// <summary>Most memory the cgroup held at once (cgroup v1 only; null where not kept).</summary>
    public long? PeakBytes
    {
        get
        {
            var file = System.IO.Path.Combine(Path, _v2 ? "memory.peak" : "memory.max_usage_in_bytes");
            return File.Exists(file) ? long.Parse(File.ReadAllText(file).Trim()) : null;
        }
    }

    private long Counter(string file, string name)
    {
        var path = System.IO.Path.Combine(Path, file);
        if (!File.Exists(path)) return 0;
        foreach (var line in File.ReadAllLines(path))
            if (line.StartsWith(name + " ", StringComparison.Ordinal)) return long.Parse(line[(name.Length + 1)..]);
        return 0;
    }

    private void Write(string file, long value) => File.WriteAllText(System.IO.Path.Combine(Path, file), value.ToString());

    private static bool CanCreateChild(string parent)
    {
        var probe = System.IO.Path.Combine(parent, $"attention-probe-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        // A cgroup folder can only be removed once no process is in it; the service process was killed before this.
        for (var attempt = 0; attempt < 50 && Directory.Exists(Path); attempt++)
        {
            try
            {
                Directory.Delete(Path);
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
        }
    }
}

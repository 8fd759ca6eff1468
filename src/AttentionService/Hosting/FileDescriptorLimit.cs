using System.Runtime.InteropServices;

namespace AttentionService.Hosting;

/// <summary>The process's soft limit on open files (RLIMIT_NOFILE), which every accepted socket counts against, and its use.</summary>
public static partial class FileDescriptorLimit
{
    /// <summary>The soft limit, or null where it is unknown or unlimited (not Linux, RLIM_INFINITY, getrlimit failing).</summary>
    public static long? Current()
    {
        if (!OperatingSystem.IsLinux()) return null;
        if (GetRLimit(RlimitNoFile, out var limit) != 0 || limit.Current >= long.MaxValue) return null;
        return (long)limit.Current;
    }

    /// <summary>Descriptors open now (/proc/self/fd), or 0 where that cannot be read.</summary>
    public static int OpenNow()
    {
        try
        {
            return OperatingSystem.IsLinux() ? Directory.GetFileSystemEntries("/proc/self/fd").Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    // RLIMIT_NOFILE is 7 on every Linux architecture .NET runs on (x64, arm64, arm); rlim_t is unsigned long.
    private const int RlimitNoFile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public nuint Current;
        public nuint Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRLimit(int resource, out RLimit limit);
}

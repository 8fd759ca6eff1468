using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AttentionService.Registry;

/// <summary>
/// A file's type, length and identity, learned without opening it (opening a FIFO blocks until a writer comes), and
/// compared between scans to notice a change: a different length, modification or status-change time, or inode (a
/// symbolic link swapped to another file, as Kubernetes does with ConfigMap volumes).
/// </summary>
public readonly record struct FileFacts(FileKind Kind, long Length, long Modified, long Changed, long Inode, long Device)
{
    /// <summary>The facts of <paramref name="path"/>, following symbolic links; null when nothing is there (or a link leads nowhere).</summary>
    /// <exception cref="IOException">The entry exists but cannot be examined (e.g. permission denied on the folder).</exception>
    public static FileFacts? Of(string path)
    {
        if (!TypesKnown) return Managed(path);
        var status = new Status();
        int result;
        try
        {
            result = Stat(path, ref status);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            TypesKnown = false;
            return Managed(path);
        }
        if (result == 0) return From(status);
        var errno = Marshal.GetLastPInvokeError();
        return errno is Enoent or Enotdir ? null : throw new IOException($"cannot be examined: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>
    /// False when the runtime's shim lacks stat (a runtime this was not built against, a non-Unix one): then only
    /// directories are told apart, and a FIFO or device is bounded by the read's time and size limits alone.
    /// </summary>
    public static bool TypesKnown { get; private set; } = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>What .NET's own API tells: a directory, or a file of unknown type (a FIFO and a device look regular to it).</summary>
    private static FileFacts? Managed(string path)
    {
        FileSystemInfo info = new FileInfo(path);
        if (info.LinkTarget is not null) info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
        if (System.IO.Directory.Exists(info.FullName)) return new FileFacts(FileKind.Directory, 0, 0, 0, 0, 0);
        var file = new FileInfo(info.FullName);
        return file.Exists ? new FileFacts(FileKind.Regular, file.Length, file.LastWriteTimeUtc.Ticks, file.CreationTimeUtc.Ticks, 0, 0) : null;
    }

    /// <summary>The facts of an open file, so what was opened is checked, not what the name pointed at a moment before.</summary>
    public static FileFacts Of(SafeFileHandle handle)
    {
        if (!TypesKnown) return new FileFacts(FileKind.Regular, RandomAccess.GetLength(handle), 0, 0, 0, 0);
        var status = new Status();
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (FStat(handle.DangerousGetHandle(), ref status) != 0)
                throw new IOException($"the open file cannot be examined: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
        return From(status);
    }

    private static FileFacts From(in Status status) => new(
        (status.Mode & TypeMask) switch
        {
            Regular => FileKind.Regular,
            Directory => FileKind.Directory,
            Fifo => FileKind.Fifo,
            CharacterDevice => FileKind.CharacterDevice,
            BlockDevice => FileKind.BlockDevice,
            Socket => FileKind.Socket,
            _ => FileKind.Unknown,
        },
        status.Size,
        status.MTime * 1_000_000_000 + status.MTimeNsec,
        status.CTime * 1_000_000_000 + status.CTimeNsec,
        status.Ino,
        status.Dev);

    // .NET does not expose a file's type: FileSystemInfo.Attributes calls a FIFO, a socket and a device "Normal". The
    // runtime's own native shim (libSystem.Native, shipped with every .NET on Linux, glibc and musl, x64 and arm64)
    // has stat and fstat with a layout and mode bits of its own, independent of the C library; these are the
    // calls File and FileInfo make. The layout is fixed within a runtime's major version (the app runs on .NET 10's);
    // FileFactsTests hold each kind, the length, times and inode to what .NET and stat(1) report.
    private const string Shim = "libSystem.Native";
    private const int TypeMask = 0xF000, Fifo = 0x1000, CharacterDevice = 0x2000, Directory = 0x4000,
        BlockDevice = 0x6000, Regular = 0x8000, Socket = 0xC000;
    private const int Enoent = 2, Enotdir = 20;

    [DllImport(Shim, EntryPoint = "SystemNative_Stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref Status output);

    [DllImport(Shim, EntryPoint = "SystemNative_FStat", SetLastError = true)]
    private static extern int FStat(IntPtr fd, ref Status output);

    /// <summary>The shim's FileStatus (pal_io.h), with room to spare should it grow.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Status
    {
        public int Flags;
        public int Mode;
        public uint Uid;
        public uint Gid;
        public long Size;
        public long ATime;
        public long ATimeNsec;
        public long MTime;
        public long MTimeNsec;
        public long CTime;
        public long CTimeNsec;
        public long BirthTime;
        public long BirthTimeNsec;
        public long Dev;
        public long RDev;
        public long Ino;
        public uint UserFlags;
        public fixed byte Spare[128];
    }
}

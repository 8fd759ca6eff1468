using System.Diagnostics;
using System.Net.Sockets;
using AttentionService.Registry;

namespace AttentionService.Tests.Registry;

/// <summary>
/// The file type is learned without opening the file, through the runtime's native shim: each kind of entry a models
/// folder can hold is told apart, symbolic links followed, as the shim of the .NET the tests run on reports it.
/// </summary>
public sealed class FileFactsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("attention-file-facts-").FullName;

    private string Entry(string name) => Path.Combine(_folder, name);

    [Fact]
    public void EachKindOfEntryIsToldApartWithoutOpeningIt()
    {
        File.WriteAllBytes(Entry("regular"), new byte[1234]);
        File.CreateSymbolicLink(Entry("link-to-regular"), Entry("regular"));
        Directory.CreateDirectory(Entry("directory"));
        using (var mkfifo = Process.Start("mkfifo", [Entry("fifo")])) mkfifo.WaitForExit();
        File.CreateSymbolicLink(Entry("link-to-fifo"), Entry("fifo"));
        File.CreateSymbolicLink(Entry("zero"), "/dev/zero");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Entry("socket")));
        File.CreateSymbolicLink(Entry("dangling"), Entry("nothing"));
        File.CreateSymbolicLink(Entry("loop"), Entry("loop"));

        Assert.Equal(FileKind.Regular, FileFacts.Of(Entry("regular"))!.Value.Kind);
        Assert.Equal(1234, FileFacts.Of(Entry("regular"))!.Value.Length);
        Assert.Equal(FileFacts.Of(Entry("regular")), FileFacts.Of(Entry("link-to-regular")));
        Assert.Equal(FileKind.Directory, FileFacts.Of(Entry("directory"))!.Value.Kind);
        Assert.Equal(FileKind.Fifo, FileFacts.Of(Entry("fifo"))!.Value.Kind);
        Assert.Equal(FileKind.Fifo, FileFacts.Of(Entry("link-to-fifo"))!.Value.Kind);
        Assert.Equal(FileKind.CharacterDevice, FileFacts.Of(Entry("zero"))!.Value.Kind);
        Assert.Equal(FileKind.Socket, FileFacts.Of(Entry("socket"))!.Value.Kind);
        Assert.Null(FileFacts.Of(Entry("dangling")));
        Assert.Null(FileFacts.Of(Entry("nothing")));
        Assert.Contains("symbolic links", Assert.Throws<IOException>(() => FileFacts.Of(Entry("loop"))).Message);
    }

    /// <summary>The shim's layout is the runtime's own: these hold each field read to what .NET and stat(1) report.</summary>
    [Fact]
    public void LengthTimesAndInodeAgreeWithWhatDotnetAndStatReport()
    {
        File.WriteAllBytes(Entry("model"), new byte[4321]);
        var facts = FileFacts.Of(Entry("model"))!.Value;
        var info = new FileInfo(Entry("model"));
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i %d", Entry("model")]) { RedirectStandardOutput = true })!;
        var inodeAndDevice = stat.StandardOutput.ReadToEnd().Trim().Split(' ');

        Assert.Equal(info.Length, facts.Length);
        Assert.Equal((info.LastWriteTimeUtc - DateTime.UnixEpoch).Ticks, facts.Modified / 100);
        Assert.Equal(long.Parse(inodeAndDevice[0]), facts.Inode);
        Assert.Equal(long.Parse(inodeAndDevice[1]), facts.Device);
    }

    [Fact]
    public void ARewrittenFileLooksChangedAndAnOpenFileIsExaminedByItsHandle()
    {
        File.WriteAllBytes(Entry("model"), new byte[10]);
        var before = FileFacts.Of(Entry("model"));
        File.WriteAllBytes(Entry("model.new"), new byte[10]);
        File.Move(Entry("model.new"), Entry("model"), overwrite: true);

        Assert.NotEqual(before, FileFacts.Of(Entry("model")));
        using var stream = File.OpenRead(Entry("model"));
        Assert.Equal(FileFacts.Of(Entry("model")), FileFacts.Of(stream.SafeFileHandle));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

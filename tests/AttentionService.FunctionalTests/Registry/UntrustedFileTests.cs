using AttentionService.Registry;

namespace AttentionService.Tests.Registry;

/// <summary>
/// The size bound holds from the file's length before reading and while reading: a file whose length says one thing
/// and whose content says another (as a file still growing, or a /proc file of length 0) is cut off at the limit.
/// </summary>
public sealed class UntrustedFileTests : IDisposable
{
    private const string Setting = "Attention:Limits:MaxModelBytes";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _folder = Directory.CreateTempSubdirectory("attention-untrusted-").FullName;

    [Fact]
    public async Task AFileAtTheLimitIsReadWholeAndOneByteMoreIsRefusedUnread()
    {
        var path = Path.Combine(_folder, "m.onnx");
        var bytes = new byte[2048];
        new Random(3).NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes);

        Assert.Equal(bytes, await UntrustedFile.ReadAsync(path, "m.onnx", 2048, Setting, Timeout, CancellationToken.None));
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => UntrustedFile.ReadAsync(path, "m.onnx", 2047, Setting, Timeout, CancellationToken.None));
        Assert.Equal("m.onnx is 2048 bytes, the limit is 2047 bytes (Attention:Limits:MaxModelBytes)", refused.Message);
    }

    [Fact]
    public async Task ContentBeyondTheLengthStatGaveIsCutOffAtTheLimit()
    {
        // /proc files are regular files of length 0 whose content is made as they are read.
        var link = Path.Combine(_folder, "maps.onnx");
        File.CreateSymbolicLink(link, "/proc/self/maps");

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => UntrustedFile.ReadAsync(link, "maps.onnx", 1024, Setting, Timeout, CancellationToken.None));

        Assert.Equal("maps.onnx grew past the limit of 1024 bytes while being read (Attention:Limits:MaxModelBytes)", refused.Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

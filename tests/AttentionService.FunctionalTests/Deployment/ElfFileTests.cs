namespace AttentionService.Tests.Deployment;

/// <summary>The ELF reader the publish scans rely on, held to a library whose needs are known: the CPU build's ONNX Runtime.</summary>
public sealed class ElfFileTests
{
    [Fact]
    public void TheCpuBuildsOnnxRuntimeIsSeenToNeedGlibc()
    {
        var library = Assert.Single(Directory.GetFiles(AppContext.BaseDirectory, "libonnxruntime.so", SearchOption.AllDirectories),
            f => f.Contains("linux-x64", StringComparison.Ordinal));

        var elf = ElfFile.Read(library);

        Assert.True(elf.NeedsGlibc);
        Assert.Contains("libc.so.6", elf.Needed);
        Assert.Null(elf.Interpreter);
    }

    [Fact]
    public void ManagedAssembliesAreNotElf() =>
        Assert.False(ElfFile.IsElf(Path.Combine(AppContext.BaseDirectory, "AttentionService.dll")));
}

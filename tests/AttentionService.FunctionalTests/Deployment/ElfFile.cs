using System.Buffers.Binary;
using System.Text;

namespace AttentionService.Tests.Deployment;

/// <summary>
/// What the dynamic loader needs to run an ELF file, read from the file itself (no readelf in the test's way): its
/// interpreter (PT_INTERP) and the libraries it names (DT_NEEDED). 64-bit little-endian only, as every target here is.
/// </summary>
public sealed record ElfFile(string Path, string? Interpreter, IReadOnlyList<string> Needed)
{
    private const uint PtLoad = 1, PtDynamic = 2, PtInterp = 3;
    private const long DtNull = 0, DtNeeded = 1, DtStrtab = 5;

    /// <summary>True when the file starts with the ELF magic number.</summary>
    public static bool IsElf(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.Read(magic) == 4 && magic.SequenceEqual("\u007fELF"u8);
    }

    /// <summary>True when it cannot run without glibc: it names libc.so.6 or glibc's loader (ld-linux-*).</summary>
    public bool NeedsGlibc =>
        Interpreter?.Contains("ld-linux", StringComparison.Ordinal) == true
        || Needed.Any(n => n == "libc.so.6" || n.StartsWith("ld-linux", StringComparison.Ordinal));

    public static ElfFile Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 64 || !bytes.AsSpan(0, 4).SequenceEqual("\u007fELF"u8))
            throw new InvalidDataException($"{path} is not an ELF file");
        if (bytes[4] != 2 || bytes[5] != 1)
            throw new InvalidDataException($"{path} is not 64-bit little-endian ELF (class {bytes[4]}, data {bytes[5]})");
        var headers = ProgramHeaders(bytes).ToList();
        string? interpreter = null;
        if (headers.FirstOrDefault(h => h.Type == PtInterp) is { Type: PtInterp } interp)
            interpreter = CString(bytes, interp.Offset);
        var needed = new List<string>();
        if (headers.FirstOrDefault(h => h.Type == PtDynamic) is { Type: PtDynamic } dynamic)
        {
            var entries = new List<(long Tag, ulong Value)>();
            for (var at = dynamic.Offset; at + 16 <= dynamic.Offset + dynamic.FileSize; at += 16)
            {
                var tag = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)at));
                if (tag == DtNull) break;
                entries.Add((tag, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)at + 8))));
            }
            var table = FileOffset(headers, entries.Single(e => e.Tag == DtStrtab).Value, path);
            needed.AddRange(entries.Where(e => e.Tag == DtNeeded).Select(e => CString(bytes, table + (long)e.Value)));
        }
        return new ElfFile(path, interpreter, needed);
    }

    private readonly record struct ProgramHeader(uint Type, long Offset, ulong VirtualAddress, long FileSize);

    private static IEnumerable<ProgramHeader> ProgramHeaders(byte[] bytes)
    {
        var offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(0x20));
        var size = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(0x36));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(0x38));
        for (var i = 0; i < count; i++)
        {
            var header = bytes.AsSpan((int)(offset + i * size));
            yield return new ProgramHeader(
                BinaryPrimitives.ReadUInt32LittleEndian(header),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(header[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(header[16..]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(header[32..]));
        }
    }

    /// <summary>Where a loaded address lies in the file, through the PT_LOAD segment that maps it.</summary>
    private static long FileOffset(List<ProgramHeader> headers, ulong address, string path)
    {
        foreach (var load in headers.Where(h => h.Type == PtLoad))
            if (address >= load.VirtualAddress && address < load.VirtualAddress + (ulong)load.FileSize)
                return load.Offset + (long)(address - load.VirtualAddress);
        throw new InvalidDataException($"{path}: address 0x{address:x} is in no loaded segment");
    }

    private static string CString(byte[] bytes, long offset)
    {
        var end = Array.IndexOf(bytes, (byte)0, (int)offset);
        return Encoding.ASCII.GetString(bytes, (int)offset, end - (int)offset);
    }
}

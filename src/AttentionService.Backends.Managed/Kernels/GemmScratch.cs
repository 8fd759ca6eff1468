using System.Runtime.CompilerServices;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// Per-thread scratch for the packed panels of <see cref="PackedGemm"/>: one pinned array per thread, grown on demand
/// and kept, so steady-state multiplies allocate nothing. Pinned so its start can be aligned to a cache line once
/// (a 512-bit load from an unaligned panel would straddle two lines every time).
/// </summary>
internal static class GemmScratch
{
    private const int AlignmentFloats = 16;

    [ThreadStatic]
    private static float[]? t_buffer;

    [ThreadStatic]
    private static int t_offset;

    /// <summary>At least <paramref name="length"/> floats starting on a 64-byte boundary; valid until this thread's next call.</summary>
    public static unsafe Span<float> Get(int length)
    {
        var buffer = t_buffer;
        if (buffer is null || buffer.Length - t_offset < length)
        {
            buffer = GC.AllocateUninitializedArray<float>(length + AlignmentFloats, pinned: true);
            var address = (nuint)Unsafe.AsPointer(ref buffer[0]);
            t_offset = (int)((64 - (address & 63)) & 63) / sizeof(float);
            t_buffer = buffer;
        }
        return buffer.AsSpan(t_offset, length);
    }
}

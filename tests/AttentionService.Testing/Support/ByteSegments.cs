using System.Buffers;

namespace AttentionService.Tests.Support;

/// <summary>
/// Bytes as a sequence of fixed-size segments, the way Kestrel hands a request body to a parser. The JSON benchmarks
/// (benchmarks/AttentionService.Benchmarks) parse bodies in the same form.
/// </summary>
public static class ByteSegments
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, int size)
    {
        var first = new Segment(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
        var last = first;
        for (var start = size; start < bytes.Length; start += size)
            last = last.Append(bytes.AsMemory(start, Math.Min(size, bytes.Length - start)));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

using System.Buffers;
using System.Text;
using AttentionService.Contracts;
using AttentionService.Contracts.Json;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Http.Json;

/// <summary>
/// A body that arrives in many segments (as Kestrel hands it over) parses to the same tensors and the same errors as
/// one contiguous body: the reader copies segments into one buffer, and that must change nothing a client sees.
/// </summary>
public sealed class AttendRequestReaderSegmentsTests
{
    public static TheoryData<string> Bodies => new()
    {
        """{"model": "luong-dot", "query": [[0.5, -1.25e-3, 3]], "values": [[1, 2, 3], [4.5, -6, 7e2]], "causal": true}""",
        """{"query": [[1, 2]], "values": [[1, 2], [3]]}""",
        """{"query": [[1, 2]], "values": [[1, 2]""",
        """{"query": [[1e39, 2]], "values": [[1, 2]]}""",
        """{"query": [[1, 2]], "values": [[1, 2]], "mask": [true, 1]}""",
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void ManySegmentsParseLikeOne(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var limits = new RequestLimits();
        var (whole, wholeError) = AttendRequestReader.Read(new ReadOnlySequence<byte>(bytes), limits);
        var (split, splitError) = AttendRequestReader.Read(ByteSegments.Split(bytes, size: 3), limits);
        using (whole)
        using (split)
        {
            Assert.Equal(wholeError, splitError);
            if (whole is null) return;
            Assert.Equal(whole.Model, split!.Model);
            Assert.Equal(whole.Causal, split.Causal);
            Assert.Equal(whole.Query.Shape, split.Query.Shape);
            Assert.Equal(whole.Query.Span.ToArray(), split.Query.Span.ToArray());
            Assert.Equal(whole.Values.Shape, split.Values.Shape);
            Assert.Equal(whole.Values.Span.ToArray(), split.Values.Span.ToArray());
        }
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AttentionService.Core.Tensors;
using AttentionService.Contracts;
using AttentionService.Contracts.Json;

namespace AttentionService.Tests.Http.Json;

/// <summary>
/// The answer writer streams rows in chunks; the text must be exactly what nested JSON arrays of the same numbers are,
/// whatever the shape, and streaming through a pipe that pushes back must not change a byte.
/// </summary>
public sealed class AttendResponseWriterTests
{
    public static TheoryData<int[], int[]> Shapes => new()
    {
        { [1, 64], [1, 32] },
        { [2, 3, 5], [2, 3, 7] },
        { [1, 4, 3, 2], [2, 4, 1, 3] },
        { [3], [1, 1, 1, 1] },
        { [0, 3], [2, 0] },
        { [2, 0, 3], [1, 1] },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WritesTheSameTextAsNestedJsonArrays(int[] contextShape, int[] weightsShape)
    {
        using var context = Filled(contextShape, seed: 1);
        using var weights = Filled(weightsShape, seed: 2);
        var response = new AttendResponse { Model = "luong-dot", Backend = "managed", Context = context, Weights = weights };

        var expected = new JsonObject
        {
            ["model"] = "luong-dot",
            ["backend"] = "managed",
            ["context"] = Nested(context.Span.ToArray(), contextShape),
            ["weights"] = Nested(weights.Span.ToArray(), weightsShape),
        }.ToJsonString();

        Assert.Equal(expected, WriteWhole(response));
    }

    [Fact]
    public void NamedOutputsOfEveryElementTypeAreWrittenAfterTheWeights()
    {
        using var context = Filled([2, 3], seed: 7);
        using var weights = Filled([2, 2], seed: 8);
        using var state = Filled([2, 0], seed: 9);
        using var steps = Tensor.Wrap([9007199254740993L, -1L, 0L, long.MinValue], 2, 2);
        using var flags = Tensor.Wrap([true, false, true], 3);
        var response = new AttendResponse
        {
            Model = "m", Backend = "onnx", Context = context, Weights = weights,
            Outputs = new Dictionary<string, TensorView> { ["state"] = state.View, ["steps"] = steps.View, ["flags"] = flags.View },
        };

        var text = WriteWhole(response);

        var expected = new JsonObject
        {
            ["model"] = "m",
            ["backend"] = "onnx",
            ["context"] = Nested(context.Span.ToArray(), [2, 3]),
            ["weights"] = Nested(weights.Span.ToArray(), [2, 2]),
            ["outputs"] = new JsonObject
            {
                ["state"] = new JsonArray(new JsonArray(), new JsonArray()),
                ["steps"] = JsonNode.Parse("[[9007199254740993, -1], [0, -9223372036854775808]]"),
                ["flags"] = JsonNode.Parse("[true, false, true]"),
            },
        }.ToJsonString();
        Assert.Equal(expected, text);
        Assert.Contains("9007199254740993", text);
    }

    [Fact]
    public async Task StreamingALargeNamedOutputThroughABackpressuredPipeGivesTheSameBytes()
    {
        using var context = Filled([1, 2], seed: 10);
        using var weights = Filled([1, 2], seed: 11);
        using var logits = Filled([256, 512], seed: 12);
        var response = new AttendResponse
        {
            Model = "m", Backend = "onnx", Context = context, Weights = weights,
            Outputs = new Dictionary<string, TensorView> { ["logits"] = logits.View },
        };
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 16 * 1024, resumeWriterThreshold: 8 * 1024));
        var reading = ReadAllAsync(pipe.Reader);

        await AttendResponseWriter.WriteAsync(pipe.Writer, response, CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        var (text, reads) = await reading;

        Assert.Equal(WriteWhole(response), text);
        Assert.True(reads > 10, $"the answer arrived in {reads} reads; streamed, it comes in many");
    }

    [Fact]
    public async Task StreamingALargeAnswerThroughABackpressuredPipeGivesTheSameBytes()
    {
        using var context = Filled([1, 512, 64], seed: 3);
        using var weights = Filled([1, 512, 512], seed: 4);
        var response = new AttendResponse { Model = "luong-dot", Backend = "onnx", Context = context, Weights = weights };
        // The writer must wait for the reader every 16 KB: a writer that buffered the whole 3 MB answer would still
        // produce the bytes, but one that lost or reordered a chunk across a flush would not.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 16 * 1024, resumeWriterThreshold: 8 * 1024));
        var reading = ReadAllAsync(pipe.Reader);

        await AttendResponseWriter.WriteAsync(pipe.Writer, response, CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        var (text, reads) = await reading;

        Assert.Equal(WriteWhole(response), text);
        Assert.True(reads > 10, $"the answer arrived in {reads} reads; streamed, it comes in many");
    }

    [Fact]
    public async Task AReaderThatHangsUpStopsTheWriterWithoutAnError()
    {
        using var context = Filled([1, 512, 64], seed: 5);
        using var weights = Filled([1, 512, 512], seed: 6);
        var response = new AttendResponse { Model = "luong-dot", Backend = "onnx", Context = context, Weights = weights };
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 16 * 1024, resumeWriterThreshold: 8 * 1024));
        var body = new CountingWriter(pipe.Writer);
        await pipe.Reader.CompleteAsync();

        Assert.False(await AttendResponseWriter.WriteAsync(body, response, CancellationToken.None));

        // The first flush reports the reader gone; a writer that went on would flush and write the rest of the 3.7 MB.
        Assert.Equal(1, body.Flushes);
        Assert.True(body.Written == body.WrittenAtLastFlush,
            $"{body.Written - body.WrittenAtLastFlush} bytes written after the flush that found the reader gone");
        Assert.True(body.Written < WriteWhole(response).Length / 10, $"{body.Written} bytes written before stopping");
    }

    private static string WriteWhole(AttendResponse response)
    {
        // Through a pipe that never pushes back, so the whole answer is written in one go.
        using var buffer = new MemoryStream();
        var pipe = PipeWriter.Create(buffer);
        Assert.True(AttendResponseWriter.WriteAsync(pipe, response, CancellationToken.None).GetAwaiter().GetResult());
        pipe.Complete();
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static async Task<(string Text, int Reads)> ReadAllAsync(PipeReader reader)
    {
        var bytes = new List<byte>();
        var reads = 0;
        while (true)
        {
            var result = await reader.ReadAsync();
            reads++;
            foreach (var segment in result.Buffer) bytes.AddRange(segment.ToArray());
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) break;
        }
        await reader.CompleteAsync();
        return (Encoding.UTF8.GetString(bytes.ToArray()), reads);
    }

    /// <summary>A pipe writer that counts the bytes written into it and its flushes.</summary>
    private sealed class CountingWriter(PipeWriter inner) : PipeWriter
    {
        public long Written { get; private set; }

        public long WrittenAtLastFlush { get; private set; }

        public int Flushes { get; private set; }

        public override void Advance(int bytes)
        {
            Written += bytes;
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Flushes++;
            WrittenAtLastFlush = Written;
            return inner.FlushAsync(cancellationToken);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }


    private static Tensor<float> Filled(int[] shape, int seed)
    {
        var rng = new Random(seed);
        var tensor = Tensor.Rent<float>(shape);
        foreach (ref var x in tensor.Span) x = (float)(rng.NextDouble() * 2 - 1) / (rng.Next(1, 4) * 7);
        return tensor;
    }

    /// <summary>The reference: nested arrays built level by level, numbers written by JsonNode.</summary>
    private static JsonArray Nested(float[] data, int[] shape, int level = 0, int offset = 0)
    {
        var array = new JsonArray();
        var stride = 1;
        for (var k = level + 1; k < shape.Length; k++) stride *= shape[k];
        for (var i = 0; i < shape[level]; i++)
            array.Add(level == shape.Length - 1 ? JsonValue.Create(data[offset + i]) : Nested(data, shape, level + 1, offset + i * stride));
        return array;
    }
}

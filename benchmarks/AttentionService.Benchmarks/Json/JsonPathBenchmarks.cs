using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using AttentionService.Contracts;
using AttentionService.Contracts.Json;
using AttentionService.Core.Tensors;
using BenchmarkDotNet.Attributes;

namespace AttentionService.Benchmarks.Json;

/// <summary>
/// The host's JSON work for one /attend request, in process: parsing the body (as 4 KB segments, as Kestrel delivers
/// it) with AttendRequestReader, and writing the answer with AttendResponseWriter (as AttendResult streams it, into a pipe over memory).
/// "Reader over segments + TryGetSingle" is the parse as it was before the contiguous copy and the fast decimal path:
/// the same token walk into a pooled buffer, without shape checks.
/// </summary>
public class JsonPath
{
    private readonly RequestLimits _limits = new();
    private readonly MemoryStream _output = new(1 << 22);
    private ReadOnlySequence<byte> _body;
    private Tensor<float> _context = null!;
    private Tensor<float> _weights = null!;
    private AttendResponse _answer = null!;

    /// <summary>Decoder step (tq 1, tv 32, d 64; about 22 KB) or large (tq = tv = 512, d = 64; about 680 KB).</summary>
    [Params("decoder 1x32x64", "large 512x512x64")]
    public string Payload { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (tq, tv, d) = Payload.StartsWith("decoder", StringComparison.Ordinal) ? (1, 32, 64) : (512, 512, 64);
        _body = JsonPayloads.InSegments(JsonPayloads.Create(tq, tv, d));
        var random = new Random(3);
        _context = Tensor.Rent<float>(tq, d);
        _weights = Tensor.Rent<float>(tq, tv);
        foreach (var tensor in new[] { _context, _weights })
        {
            var span = tensor.Span;
            for (var i = 0; i < span.Length; i++) span[i] = random.NextSingle() / (tensor == _weights ? tv / 2f : 1f);
        }
        _answer = new AttendResponse { Model = "luong-dot", Backend = "managed", Context = _context, Weights = _weights };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _context.Dispose();
        _weights.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Parse: AttendRequestReader")]
    public int Parse()
    {
        var (request, error) = AttendRequestReader.Read(_body, _limits);
        if (error is not null) throw new InvalidOperationException(error.Detail);
        var length = request!.Values.Length;
        request.Dispose();
        return length;
    }

    [Benchmark(Description = "Parse: reader over segments + TryGetSingle")]
    public int ParseOverSegments()
    {
        var reader = new Utf8JsonReader(_body);
        var buffer = ArrayPool<float>.Shared.Rent(1 << 16);
        var count = 0;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.Number) continue;
            if (count == buffer.Length)
            {
                var larger = ArrayPool<float>.Shared.Rent(count * 2);
                buffer.AsSpan(0, count).CopyTo(larger);
                ArrayPool<float>.Shared.Return(buffer);
                buffer = larger;
            }
            reader.TryGetSingle(out buffer[count++]);
        }
        ArrayPool<float>.Shared.Return(buffer);
        return count;
    }

    [Benchmark(Description = "Write: answer to UTF-8")]
    public async Task<long> Write()
    {
        _output.SetLength(0);
        var pipe = PipeWriter.Create(_output, new StreamPipeWriterOptions(leaveOpen: true));
        await AttendResponseWriter.WriteAsync(pipe, _answer, CancellationToken.None);
        await pipe.CompleteAsync();
        return _output.Length;
    }
}

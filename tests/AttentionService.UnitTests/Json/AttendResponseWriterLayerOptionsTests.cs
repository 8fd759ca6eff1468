using System.IO.Pipelines;
using System.Text;
using System.Text.Json.Nodes;
using AttentionService.Contracts;
using AttentionService.Contracts.Json;
using AttentionService.Core.Tensors;

namespace AttentionService.Tests.Http.Json;

/// <summary>
/// The answer's labels come after model and backend, exactly as sent; a part the request left out is not written at all;
/// a large label list streams through a pipe that pushes back without changing a byte.
/// </summary>
public sealed class AttendResponseWriterLayerOptionsTests
{
    [Fact]
    public void LabelsAreEchoedBeforeContextAndWeights()
    {
        using var context = Tensor.Wrap([0.5f, -1f], 1, 2);
        using var weights = Tensor.Wrap([0.25f, 0.75f], 1, 2);
        var response = new AttendResponse
        {
            Model = "luong-dot", Backend = "managed", Context = context, Weights = weights,
            Tokens = new TokenLabels { Query = ["été"], Keys = ["\"quoted\"", "tab\there"] },
        };

        var text = WriteWhole(response);

        Assert.Equal(["model", "backend", "tokens", "context", "weights"], JsonNode.Parse(text)!.AsObject().Select(p => p.Key));
        var tokens = JsonNode.Parse(text)!["tokens"]!;
        Assert.Equal(["été"], tokens["query"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(["\"quoted\"", "tab\there"], tokens["keys"]!.AsArray().Select(t => (string)t!));
    }

    [Fact]
    public void OnlyTheLabelListsSentAreWritten()
    {
        using var context = Tensor.Wrap([1f], 1, 1);
        using var weights = Tensor.Wrap([1f], 1, 1);
        var response = new AttendResponse { Model = "m", Backend = "onnx", Context = context, Weights = weights, Tokens = new TokenLabels { Keys = ["k"] } };

        Assert.Equal("""{"model":"m","backend":"onnx","tokens":{"keys":["k"]},"context":[[1]],"weights":[[1]]}""", WriteWhole(response));
    }

    [Fact]
    public void APartLeftOutIsNotWritten()
    {
        using var context = Tensor.Wrap([1f, 2f], 1, 2);
        using var weights = Tensor.Wrap([1f], 1, 1);

        Assert.Equal("""{"model":"m","backend":"onnx","weights":[[1]]}""",
            WriteWhole(new AttendResponse { Model = "m", Backend = "onnx", Weights = weights }));
        Assert.Equal("""{"model":"m","backend":"onnx","context":[[1,2]]}""",
            WriteWhole(new AttendResponse { Model = "m", Backend = "onnx", Context = context }));
    }

    [Fact]
    public async Task ManyLongLabelsStreamThroughABackpressuredPipeUnchanged()
    {
        using var context = Tensor.Wrap([1f], 1, 1);
        using var weights = Tensor.Wrap([1f], 1, 1);
        var labels = Enumerable.Range(0, 4096).Select(i => $"token {i} " + new string((char)('a' + i % 26), 200)).ToArray();
        var response = new AttendResponse
        {
            Model = "m", Backend = "onnx", Context = context, Weights = weights, Tokens = new TokenLabels { Query = labels, Keys = labels },
        };
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 16 * 1024, resumeWriterThreshold: 8 * 1024));
        var reading = ReadAllAsync(pipe.Reader);

        Assert.True(await AttendResponseWriter.WriteAsync(pipe.Writer, response, CancellationToken.None));
        await pipe.Writer.CompleteAsync();
        var (text, reads) = await reading;

        Assert.Equal(WriteWhole(response), text);
        Assert.Equal(labels, JsonNode.Parse(text)!["tokens"]!["keys"]!.AsArray().Select(t => (string)t!));
        Assert.True(reads > 10, $"the answer arrived in {reads} reads; streamed, it comes in many");
    }

    private static string WriteWhole(AttendResponse response)
    {
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
}

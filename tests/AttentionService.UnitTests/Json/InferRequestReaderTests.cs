using System.Text;
using AttentionService.Contracts;
using AttentionService.Contracts.OpenInference;
using AttentionService.Core.Tensors;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Http.Json;

/// <summary>
/// Open Inference Protocol infer bodies: data flat or nested, in any property order, typed by the declared datatype,
/// binary inputs taken in order from after the JSON; bodies split into segments read the same; each mistake a value.
/// </summary>
public sealed class InferRequestReaderTests
{
    private static readonly RequestLimits Limits = new();

    private static (InferRequest? Request, InferenceError? Error) Read(string json, int segment = 1000, byte[]? binary = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        return InferRequestReader.Read(ByteSegments.Split([.. header, .. binary ?? []], segment), binary is null ? null : header.Length, Limits);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void DataFlatOrNestedAndBeforeItsDatatypeReadAsTheDeclaredTensor(int segment)
    {
        var (request, error) = Read("""
            {"id": "a", "parameters": {"backend": "onnx", "causal": true, "other": {"x": 1}},
             "inputs": [{"data": [[[1.5, 2], [3, 4]]], "shape": [1, 2, 2], "name": "q", "datatype": "FP32"},
                        {"name": "t", "datatype": "INT64", "shape": [2], "data": [9007199254740993, -4]},
                        {"name": "m", "datatype": "BOOL", "shape": [1, 2], "data": [true, false]}],
             "outputs": [{"name": "weights", "parameters": {"binary_data": true}}, {"name": "context"}]}
            """, segment);
        using var _ = request;

        Assert.Null(error);
        Assert.Equal("a", request!.Id);
        Assert.Equal(new InferParameters("onnx", true, false), request.Parameters);
        Assert.Equal([new RequestedOutput("weights", true), new RequestedOutput("context", null)], request.Outputs);
        Assert.Equal([1, 2, 2], request.Inputs[0].View.Shape);
        Assert.Equal([1.5f, 2, 3, 4], request.Inputs[0].Float!.Span.ToArray());
        Assert.Equal([9007199254740993L, -4], request.Inputs[1].View.As<long>().Span.ToArray());
        Assert.Equal([true, false], request.Inputs[2].View.As<bool>().Span.ToArray());
        Assert.Equal(16 + 16 + 2, request.TensorBytes);
    }

    [Fact]
    public void BinaryInputsAreTakenInOrderFromAfterTheJson()
    {
        var floats = new byte[8];
        BitConverter.GetBytes(0.25f).CopyTo(floats, 0);
        BitConverter.GetBytes(-2f).CopyTo(floats, 4);
        var (request, error) = Read("""
            {"inputs": [{"name": "q", "datatype": "FP32", "shape": [2], "parameters": {"binary_data_size": 8}},
                        {"name": "j", "datatype": "FP32", "shape": [1], "data": [7]},
                        {"name": "m", "datatype": "BOOL", "shape": [3], "parameters": {"binary_data_size": 3}}]}
            """, segment: 5, binary: [.. floats, 0, 2, 1]);
        using var _ = request;

        Assert.Null(error);
        Assert.Equal([0.25f, -2f], request!.Inputs[0].Float!.Span.ToArray());
        Assert.Equal([7f], request.Inputs[1].Float!.Span.ToArray());
        Assert.Equal([false, true, true], request.Inputs[2].View.As<bool>().Span.ToArray());
    }

    [Theory]
    [InlineData("""{"inputs": [{"name": "q", "datatype": "FP32", "shape": [2, 2], "data": [[1, 2, 3], [4, 5, 6]]}]}""", "input 'q' has data of shape [2, 3]; shape [2, 2] takes 4 elements")]
    [InlineData("""{"inputs": [{"name": "q", "datatype": "INT64", "shape": [1], "data": [1.5]}]}""", "input 'q'.data[0] = 1.5 is not an integer")]
    [InlineData("""{"inputs": [{"name": "q", "datatype": "BOOL", "shape": [1], "data": [1]}]}""", "is a number, expected a boolean")]
    [InlineData("""{"inputs": [{"name": "q", "datatype": "FP32", "shape": [-1], "data": [1]}]}""", "inputs[0].shape[0] must be a dimension")]
    [InlineData("""{"inputs": [{"name": "q", "datatype": "FP32", "shape": [1]}]}""", "input 'q': data is required")]
    [InlineData("""{"inputs": [{"name": "q", "shape": [1], "data": [1]}]}""", "input 'q': datatype is required (FP32, INT64 or BOOL)")]
    [InlineData("""{"inputs": [{"name": "q", "datatype": "FP32", "shape": [1], "data": [1]}, {"name": "q", "datatype": "FP32", "shape": [1], "data": [1]}]}""", "input 'q' is sent twice")]
    [InlineData("""{"inputs": [], "outputs": [{"name": "w"}, {"name": "w"}]}""", "output 'w' is asked for twice")]
    [InlineData("""{"inputs": [], "id": 7}""", "id must be a string, got a number")]
    [InlineData("""{"inputs": [{"name": "q", "datatype": "FP32", "shape": [1], "data": [1], "contents": {}}]}""", "inputs[0] has unknown property 'contents'")]
    [InlineData("""{"inputs": []} {}""", "binary tensor data needs the Inference-Header-Content-Length header")]
    public void EachMistakeIsA400NamingThePlace(string json, string detail)
    {
        var (request, error) = Read(json);

        Assert.Null(request);
        Assert.Equal(InferenceErrorKind.BadRequest, error!.Kind);
        Assert.Contains(detail, error.Detail);
    }

    [Fact]
    public void AShapeOverTheElementLimitIs413BeforeAnyDataIsRead()
    {
        var (_, error) = Read("""{"inputs": [{"name": "q", "datatype": "FP32", "shape": [2147483647, 2147483647, 2147483647, 2147483647, 2147483647], "data": [1]}]}""");

        Assert.Equal(InferenceErrorKind.TooLarge, error!.Kind);
        Assert.Contains("the limit is 4194304 (Attention:Limits:MaxElements)", error.Detail);
    }

    [Fact]
    public void AHeaderLengthPastTheBodyIs400()
    {
        var (_, error) = InferRequestReader.Read(ByteSegments.Split(Encoding.UTF8.GetBytes("""{"inputs": []}"""), 1000), 100, Limits);

        Assert.Contains("Inference-Header-Content-Length is 100 but the body has 14 bytes", error!.Detail);
    }
}

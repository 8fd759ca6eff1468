using System.Buffers;
using System.Text;
using AttentionService.Contracts;
using AttentionService.Contracts.Json;
using AttentionService.Core.Tensors;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Http.Json;

/// <summary>
/// The request's <c>inputs</c> are kept as JSON text until the model says each one's element type, then parsed as
/// numbers (FP32), integers (INT64) or booleans (BOOL); <c>outputs</c> is a list of names. Bodies split into segments
/// read the same.
/// </summary>
public sealed class AttendRequestReaderExtrasTests
{
    private static readonly RequestLimits Limits = new();

    private const string Body = """
        {"query": [[1, 2]], "values": [[1, 2]],
         "inputs": {"token": [ 9007199254740993, -4 ], "flag": [[true], [false]], "c\u0065ll": [[0.5, -1e-3]]},
         "outputs": ["state", "logits"]}
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public void InputsParseAsTheElementTypeTheirGraphInputTakes(int segment)
    {
        var bytes = Encoding.UTF8.GetBytes(Body);
        var (request, error) = AttendRequestReader.Read(ByteSegments.Split(bytes, segment), Limits);
        using var _ = request;

        Assert.Null(error);
        Assert.Equal(["token", "flag", "cell"], request!.Inputs!.Keys);
        Assert.Equal(["state", "logits"], request.Outputs);
        var token = Read(request.Inputs["token"], TensorElementType.Int64);
        var flag = Read(request.Inputs["flag"], TensorElementType.Bool);
        var cell = Read(request.Inputs["cell"], TensorElementType.Float32);
        Assert.Equal([9007199254740993L, -4L], token.View.As<long>().Span.ToArray());
        Assert.Equal([2], token.View.Shape);
        Assert.Equal([true, false], flag.View.As<bool>().Span.ToArray());
        Assert.Equal([2, 1], flag.View.Shape);
        Assert.Equal([0.5f, -1e-3f], cell.View.As<float>().Span.ToArray());
        token.Owner.Dispose();
        flag.Owner.Dispose();
        cell.Owner.Dispose();
    }

    [Theory]
    [InlineData("[1.5]", TensorElementType.Int64, "inputs.x[0] = 1.5 is not an integer; inputs.x takes INT64")]
    [InlineData("[1e2]", TensorElementType.Int64, "inputs.x[0] = 1e2 is not an integer")]
    [InlineData("[-9223372036854775809]", TensorElementType.Int64, "inputs.x[0] = -9223372036854775809 is outside the int64 range")]
    [InlineData("[true]", TensorElementType.Int64, "inputs.x[0] is a boolean, expected an integer")]
    [InlineData("[1]", TensorElementType.Bool, "inputs.x[0] is a number, expected a boolean")]
    [InlineData("[[1], 2]", TensorElementType.Float32, "inputs.x[1] is a number, expected an array")]
    [InlineData("[1e39]", TensorElementType.Float32, "inputs.x[0] = 1e39 is outside the float32 range")]
    public void AScalarOfTheWrongKindIs400NamingThePlace(string tensor, TensorElementType type, string detail)
    {
        var (request, error) = AttendRequestReader.Read(Sequence($$$"""{"query": [[1]], "values": [[1]], "inputs": {"x": {{{tensor}}}}}"""), Limits);
        using var _ = request;
        Assert.Null(error);

        var (owner, _, parseError) = request!.Inputs!["x"].Read(type, Limits);

        Assert.Null(owner);
        Assert.Equal(InferenceErrorKind.BadRequest, parseError!.Kind);
        Assert.StartsWith(detail, parseError.Detail);
    }

    [Theory]
    [InlineData("""{"query": [[1]], "values": [[1]], "inputs": [1]}""", "inputs must be an object of tensors keyed by input name, got an array")]
    [InlineData("""{"query": [[1]], "values": [[1]], "inputs": {"x": 1}}""", "inputs.x must be a nested array, got a number")]
    [InlineData("""{"query": [[1]], "values": [[1]], "inputs": {"x": [1], "x": [2]}}""", "inputs.x appears more than once")]
    [InlineData("""{"query": [[1]], "values": [[1]], "inputs": {"x": [1}}""", "the body is not valid JSON")]
    [InlineData("""{"query": [[1]], "values": [[1]], "outputs": "state"}""", "outputs must be an array of output names, got a string")]
    [InlineData("""{"query": [[1]], "values": [[1]], "outputs": ["a", "a"]}""", "outputs names 'a' more than once")]
    [InlineData("""{"query": [[1]], "values": [[1]], "outputs": [null]}""", "outputs[0] is null, expected an output name")]
    public void MalformedInputsOrOutputsAre400(string body, string detail)
    {
        var (request, error) = AttendRequestReader.Read(Sequence(body), Limits);

        Assert.Null(request);
        Assert.Equal(InferenceErrorKind.BadRequest, error!.Kind);
        Assert.StartsWith(detail, error.Detail);
    }

    [Fact]
    public void AnInputOverTheElementLimitIs413()
    {
        var limits = new RequestLimits { MaxElements = 3 };
        var (request, _) = AttendRequestReader.Read(Sequence("""{"query": [[1]], "values": [[1]], "inputs": {"x": [1, 2, 3, 4]}}"""), limits);
        using var _ = request;

        var (_, _, error) = request!.Inputs!["x"].Read(TensorElementType.Int64, limits);

        Assert.Equal(InferenceErrorKind.TooLarge, error!.Kind);
        Assert.Equal("inputs.x has more than 3 integers (Attention:Limits:MaxElements)", error.Detail);
    }

    private static (IDisposable Owner, TensorView View) Read(JsonTensor tensor, TensorElementType type)
    {
        var (owner, view, error) = tensor.Read(type, Limits);
        Assert.Null(error);
        return (owner!, view);
    }

    private static ReadOnlySequence<byte> Sequence(string body) => new(Encoding.UTF8.GetBytes(body));
}

using System.Buffers;
using System.Text;
using AttentionService.Contracts;
using AttentionService.Contracts.Json;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Http.Json;

/// <summary>
/// The answer options of a tensor request: <c>tokens</c> (labels per position), <c>heads</c> and <c>include</c>.
/// Names match without case, as <c>backend</c> does; every malformed option is a 400 that says where, over-long label
/// lists a 413 naming the limit.
/// </summary>
public sealed class AttendRequestReaderLayerOptionsTests
{
    private static readonly RequestLimits Limits = new();

    private const string Body = """
        {"query": [[1, 2]], "values": [[1, 2], [3, 4]],
         "tokens": {"query": ["Nov"], "keys": ["\u00e9t\u00e9", "\ud83d\ude00 x"]},
         "heads": "average", "include": ["weights"]}
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void TokensHeadsAndIncludeAreRead(int segment)
    {
        var (request, error) = AttendRequestReader.Read(ByteSegments.Split(Encoding.UTF8.GetBytes(Body), segment), Limits);
        using var _ = request;

        Assert.Null(error);
        Assert.Equal(["Nov"], request!.Tokens!.Query);
        Assert.Equal(["été", "😀 x"], request.Tokens.Keys);
        Assert.Equal(AttentionHeads.Average, request.Heads);
        Assert.Equal(AnswerParts.Weights, request.Include);
    }

    [Fact]
    public void LeftOutTheOptionsMeanNoLabelsEachHeadAndBothParts()
    {
        var (request, error) = AttendRequestReader.Read(Sequence("""{"query": [[1]], "values": [[1]]}"""), Limits);
        using var _ = request;

        Assert.Null(error);
        Assert.Null(request!.Tokens);
        Assert.Equal(AttentionHeads.Each, request.Heads);
        Assert.Equal(AnswerParts.All, request.Include);
    }

    [Theory]
    [InlineData("""{"heads": "EACH"}""", AttentionHeads.Each, AnswerParts.All)]
    [InlineData("""{"Heads": "Average"}""", AttentionHeads.Average, AnswerParts.All)]
    [InlineData("""{"include": ["Context"]}""", AttentionHeads.Each, AnswerParts.Context)]
    [InlineData("""{"INCLUDE": ["weights", "CONTEXT"]}""", AttentionHeads.Each, AnswerParts.All)]
    public void OptionNamesAndValuesMatchWithoutCase(string options, AttentionHeads heads, AnswerParts include)
    {
        var (request, error) = AttendRequestReader.Read(Sequence(WithTensors(options)), Limits);
        using var _ = request;

        Assert.Null(error);
        Assert.Equal(heads, request!.Heads);
        Assert.Equal(include, request.Include);
    }

    [Fact]
    public void EitherLabelListMayBeLeftOut()
    {
        var (request, error) = AttendRequestReader.Read(Sequence(WithTensors("""{"tokens": {"KEYS": ["a"]}}""")), Limits);
        using var _ = request;

        Assert.Null(error);
        Assert.Null(request!.Tokens!.Query);
        Assert.Equal(["a"], request.Tokens.Keys);
        Assert.Equal(2, request.Tokens.Bytes());
    }

    [Theory]
    [InlineData("""{"heads": 2}""", "heads must be a string: \"each\", \"average\", got a number")]
    [InlineData("""{"heads": "mean"}""", "unknown heads 'mean'; heads is \"each\" (weights per head, the default) or \"average\"")]
    [InlineData("""{"heads": "each", "heads": "each"}""", "heads appears more than once")]
    [InlineData("""{"include": "weights"}""", "include must be an array of answer parts (\"context\", \"weights\"), got a string")]
    [InlineData("""{"include": []}""", "include is empty; name at least one of \"context\", \"weights\"")]
    [InlineData("""{"include": ["context", "logits"]}""", "include[1] is 'logits'; the parts are \"context\", \"weights\"")]
    [InlineData("""{"include": ["weights", "Weights"]}""", "include names 'weights' more than once")]
    [InlineData("""{"include": [null]}""", "include[0] is null, expected one of \"context\", \"weights\"")]
    [InlineData("""{"tokens": ["a"]}""", "tokens must be an object with query and/or keys, each an array of labels, got an array")]
    [InlineData("""{"tokens": {"values": ["a"]}}""", "unknown property 'values' in tokens; its properties are query, keys")]
    [InlineData("""{"tokens": {"query": "a b"}}""", "tokens.query must be an array of strings, one per position, got a string")]
    [InlineData("""{"tokens": {"keys": ["a", 1]}}""", "tokens.keys[1] is a number, expected a string")]
    [InlineData("""{"tokens": {"keys": [["a"]]}}""", "tokens.keys[0] is an array, expected a string")]
    [InlineData("""{"tokens": {"query": ["a"], "query": ["b"]}}""", "tokens.query appears more than once")]
    [InlineData("""{"tokens": {"query": ["\ud800"]}}""", "tokens.query[0] is not valid UTF-8 text")]
    public void MalformedOptionsAre400SayingWhere(string options, string detail)
    {
        var (request, error) = AttendRequestReader.Read(Sequence(WithTensors(options)), Limits);

        Assert.Null(request);
        Assert.Equal(InferenceErrorKind.BadRequest, error!.Kind);
        Assert.StartsWith(detail, error.Detail);
    }

    [Fact]
    public void ALabelOverTheLengthLimitIs400()
    {
        var label = new string('x', TokenLabels.MaxLabelLength + 1);
        var (request, error) = AttendRequestReader.Read(Sequence(WithTensors($$$"""{"tokens": {"keys": ["ok", "{{{label}}}"]}}""")), Limits);

        Assert.Null(request);
        Assert.Equal(InferenceErrorKind.BadRequest, error!.Kind);
        Assert.Equal($"tokens.keys[1] has {TokenLabels.MaxLabelLength + 1} characters; a label has at most {TokenLabels.MaxLabelLength}", error.Detail);
    }

    [Fact]
    public void MoreLabelsThanTheSequenceLimitIs413()
    {
        var limits = new RequestLimits { MaxSequenceLength = 3 };
        var (request, error) = AttendRequestReader.Read(Sequence(WithTensors("""{"tokens": {"query": ["a", "b", "c", "d"]}}""")), limits);

        Assert.Null(request);
        Assert.Equal(InferenceErrorKind.TooLarge, error!.Kind);
        Assert.Equal("tokens.query has more than 3 labels, the limit is 3 (Attention:Limits:MaxSequenceLength)", error.Detail);
    }

    /// <summary>The options object's members put after a minimal query and values.</summary>
    private static string WithTensors(string options) => """{"query": [[1]], "values": [[1]], """ + options[1..];

    private static ReadOnlySequence<byte> Sequence(string body) => new(Encoding.UTF8.GetBytes(body));
}

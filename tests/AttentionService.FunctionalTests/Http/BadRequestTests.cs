using System.Net;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Http;

/// <summary>Bad input gets a 4xx problem+json whose detail says what is wrong and where; never a 5xx.</summary>
public sealed class BadRequestTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string, HttpStatusCode, string> Cases => new()
    {
        { "", HttpStatusCode.BadRequest, "body is empty" },
        { "[1, 2]", HttpStatusCode.BadRequest, "must be a JSON object" },
        { """{"query": [[1, 2]], "values": [[1, 2]""", HttpStatusCode.BadRequest, "not valid JSON" },
        { """{"query": [[1, 2]], "values": [[1, 2], [3]]}""", HttpStatusCode.BadRequest, "values[1] has 1 number, expected 2" },
        { """{"values": [[1, 2]]}""", HttpStatusCode.BadRequest, "query is required" },
        { """{"query": [[1, 2]]}""", HttpStatusCode.BadRequest, "values is required" },
        { """{"query": [1, 2], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "query has rank 1" },
        { """{"query": [[[[1, 2]]]], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "deeper than rank 3" },
        { """{"query": [["1", 2]], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "query[0][0] is a string" },
        { """{"query": [[1, NaN]], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "not valid JSON" },
        { """{"query": [[1, 1e400]], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "query[0][1] = 1e400 is outside the float32 range" },
        { """{"query": [], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "query is empty" },
        { """{"query": [[1, 2]], "values": [[1, 2]], "backend": "tpu"}""", HttpStatusCode.BadRequest, "unknown backend 'tpu'; backends are onnx, managed" },
        { """{"query": [[1, 2]], "values": [[1, 2]], "quer": 1}""", HttpStatusCode.BadRequest, "unknown property 'quer'" },
        { """{"query": [[1, 2]], "values": [[1, 2, 3]]}""", HttpStatusCode.UnprocessableEntity, "values (as keys) has d = 3 but query has d = 2" },
        { """{"query": [[[1, 2]]], "values": [[[1, 2]], [[3, 4]]]}""", HttpStatusCode.UnprocessableEntity, "batch" },
        { """{"query": [[1, 2]], "values": [[[1, 2]]]}""", HttpStatusCode.BadRequest, "values has rank 3 but query has rank 2" },
        { """{"model": "../../etc/passwd", "query": [[1, 2]], "values": [[1, 2]]}""", HttpStatusCode.NotFound, "model '../../etc/passwd' not found; models are" },
        { """{"model": "nope", "query": [[1, 2]], "values": [[1, 2]]}""", HttpStatusCode.NotFound, "model 'nope' not found" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadBodyGetsProblemDetailsSayingWhatIsWrong(string body, HttpStatusCode status, string detail)
    {
        var response = await _client.PostRawAsync(body);

        await Problems.AssertProblemAsync(response, status, detail);
    }

    [Fact]
    public async Task ABodyStartingWithAUtf8ByteOrderMarkIsAccepted()
    {
        var response = await _client.PostRawAsync("\uFEFF" + """{"query": [[1, 2]], "values": [[1, 2]]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AHugeModelNameIsNotEchoedBackWhole()
    {
        var name = new string('m', 5000);

        var response = await _client.PostRawAsync($$"""{"model": "{{name}}", "query": [[1, 2]], "values": [[1, 2]]}""");

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, $"model '{name[..64]}…' not found");
        Assert.True((await response.Content.ReadAsStringAsync()).Length < 1000);
    }

    [Fact]
    public async Task WrongContentTypeIs415()
    {
        var response = await _client.PostRawAsync("""{"query": [[1]], "values": [[1]]}""", "text/plain");

        await Problems.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "application/json");
    }

    [Fact]
    public async Task ACharsetOtherThanUtf8Is415()
    {
        var response = await _client.PostRawAsync("""{"query": [[1]], "values": [[1]]}""", "application/json; charset=utf-16");

        await Problems.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "charset 'utf-16' is not supported");
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("deflate")]
    public async Task ACompressedBodyIs415(string encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/attend")
        {
            Content = new StringContent("""{"query": [[1]], "values": [[1]]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentEncoding.Add(encoding);

        var response = await _client.SendAsync(request);

        await Problems.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "is not supported; send the body uncompressed");
    }

    [Fact]
    public async Task AnIdentityContentEncodingIsAccepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/attend")
        {
            Content = new StringContent("""{"query": [[1]], "values": [[1]]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentEncoding.Add("identity");

        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task AnOutOfRangeNumberIsCutInTheDetail()
    {
        var digits = "1" + new string('0', 5000);
        var response = await _client.PostRawAsync($$"""{"query": [[{{digits}}]], "values": [[1]]}""");

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, $"query[0][0] = {digits[..64]}… is outside the float32 range");
        Assert.True((await response.Content.ReadAsStringAsync()).Length < 1000);
    }

    [Fact]
    public async Task WrongMethodIs405ProblemDetails()
    {
        var response = await _client.GetAsync("/attend");

        await Problems.AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed, null);
    }

    [Fact]
    public async Task UnknownModelMetadataIs404()
    {
        var response = await _client.GetAsync("/models/no-such-model");

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, "model 'no-such-model' not found");
    }
}

using System.Net;
using System.Text;
using AttentionService.Configuration;
using AttentionService.Contracts;
using AttentionService.Tests.Http;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability;

/// <summary>
/// The bad-input table beyond <see cref="BadRequestTests"/>: every client error is a 4xx application/problem+json whose
/// detail says what is wrong and where, with no exception text; never a 5xx.
/// </summary>
public sealed class BadInputSuiteTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    private static readonly RequestLimits Limits = new();
    private static readonly string[] FixedDimensionModels = ["luong-general", "bahdanau", "multihead"];

    private readonly HttpClient _client = factory.CreateClient();

    /// <summary>Bodies that are not a well-formed request: (case, body, status, detail).</summary>
    public static TheoryData<string, string, HttpStatusCode, string> MalformedBodies => new()
    {
        { "a JSON string", "\"query\"", HttpStatusCode.BadRequest, "must be a JSON object" },
        { "a JSON number", "42", HttpStatusCode.BadRequest, "must be a JSON object" },
        { "JSON null", "null", HttpStatusCode.BadRequest, "must be a JSON object" },
        { "JSON true", "true", HttpStatusCode.BadRequest, "must be a JSON object" },
        { "whitespace only", "   \n ", HttpStatusCode.BadRequest, "not valid JSON" },
        { "an open brace", "{", HttpStatusCode.BadRequest, "not valid JSON (line 1, byte 2)" },
        { "truncated after a name", """{"query""", HttpStatusCode.BadRequest, "not valid JSON" },
        { "truncated inside a row", """{"query": [[1,""", HttpStatusCode.BadRequest, "not valid JSON" },
        { "truncated before the close", """{"query": [[1]], "values": [[1]]""", HttpStatusCode.BadRequest, "not valid JSON" },
        { "content after the object", """{"query": [[1]], "values": [[1]]} x""", HttpStatusCode.BadRequest, "'x' is invalid after a single JSON value" },
        { "a second object", """{"query": [[1]], "values": [[1]]}{}""", HttpStatusCode.BadRequest, "not valid JSON" },
        { "a trailing comma", """{"query": [[1]], "values": [[1]],}""", HttpStatusCode.BadRequest, "not valid JSON" },
        { "single quotes", "{'query': [[1]], 'values': [[1]]}", HttpStatusCode.BadRequest, "not valid JSON" },
        { "a comment", """{"query": [[1]], /* hi */ "values": [[1]]}""", HttpStatusCode.BadRequest, "not valid JSON" },
        { "Infinity literal", """{"query": [[1, Infinity]], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "not valid JSON (line 1, byte 16)" },
        { "-Infinity literal", """{"query": [[1, 2]], "values": [[-Infinity, 2]]}""", HttpStatusCode.BadRequest, "not valid JSON" },
        { "NaN in values", """{"query": [[1, 2]], "values": [[1, NaN]]}""", HttpStatusCode.BadRequest, "not valid JSON" },
        { "NaN as a string", """{"query": [[1, "NaN"]], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "query[0][1] is a string, expected a number" },
        { "a number as a string in values", """{"query": [[1, 2]], "values": [[1, 2], ["3", 4]]}""", HttpStatusCode.BadRequest, "values[1][0] is a string, expected a number" },
        { "a number as a string in keys", """{"query": [[1, 2]], "keys": [[1, "2"]], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "keys[0][1] is a string, expected a number" },
        { "a hex number", """{"query": [[0x10]], "values": [[1]]}""", HttpStatusCode.BadRequest, "not valid JSON" },
        { "-1e400", """{"query": [[1, 2]], "values": [[1, -1e400]]}""", HttpStatusCode.BadRequest, "values[0][1] = -1e400 is outside the float32 range" },
        { "1e39 (beyond float32)", """{"query": [[1e39, 2]], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "query[0][0] = 1e39 is outside the float32 range" },
        { "query twice", """{"query": [[1]], "values": [[1]], "query": [[2]]}""", HttpStatusCode.BadRequest, "query appears more than once" },
        { "values twice in another case", """{"query": [[1]], "values": [[1]], "VALUES": [[2]]}""", HttpStatusCode.BadRequest, "values appears more than once" },
        { "model twice", """{"model": "luong-dot", "model": "luong-dot", "query": [[1]], "values": [[1]]}""", HttpStatusCode.BadRequest, "model appears more than once" },
        { "mask twice", """{"query": [[1]], "values": [[1]], "mask": [true], "mask": [true]}""", HttpStatusCode.BadRequest, "mask appears more than once" },
        { "query null", """{"query": null, "values": [[1]]}""", HttpStatusCode.BadRequest, "query must be an array of numbers, got null" },
        { "values null", """{"query": [[1]], "values": null}""", HttpStatusCode.BadRequest, "values must be an array of numbers, got null" },
        { "keys null", """{"query": [[1]], "keys": null, "values": [[1]]}""", HttpStatusCode.BadRequest, "keys must be an array of numbers, got null" },
        { "mask null", """{"query": [[1]], "values": [[1]], "mask": null}""", HttpStatusCode.BadRequest, "mask must be an array of booleans, got null" },
        { "model null", """{"model": null, "query": [[1]], "values": [[1]]}""", HttpStatusCode.BadRequest, "model must be a string" },
        { "backend null", """{"backend": null, "query": [[1]], "values": [[1]]}""", HttpStatusCode.BadRequest, "backend must be a string" },
        { "causal null", """{"query": [[1]], "values": [[1]], "causal": null}""", HttpStatusCode.BadRequest, "causal must be true or false" },
        { "null inside a row", """{"query": [[1, 2]], "values": [[1, null]]}""", HttpStatusCode.BadRequest, "values[0][1] is null, expected a number" },
        { "query an object", """{"query": {"0": [1]}, "values": [[1]]}""", HttpStatusCode.BadRequest, "query must be an array of numbers, got an object" },
        { "a row an object", """{"query": [{}], "values": [[1]]}""", HttpStatusCode.BadRequest, "query[0] is an object, expected a number" },
        { "a number an object", """{"query": [[1]], "values": [[{"x": 1}]]}""", HttpStatusCode.BadRequest, "values[0][0] is an object, expected a number" },
        { "query a string", """{"query": "[[1]]", "values": [[1]]}""", HttpStatusCode.BadRequest, "query must be an array of numbers, got a string" },
        { "query a number", """{"query": 1, "values": [[1]]}""", HttpStatusCode.BadRequest, "query must be an array of numbers, got a number" },
        { "model a number", """{"model": 5, "query": [[1]], "values": [[1]]}""", HttpStatusCode.BadRequest, "model must be a string" },
        { "model an array", """{"model": ["luong-dot"], "query": [[1]], "values": [[1]]}""", HttpStatusCode.BadRequest, "model must be a string" },
        { "backend a boolean", """{"backend": true, "query": [[1]], "values": [[1]]}""", HttpStatusCode.BadRequest, "backend must be a string" },
        { "causal a number", """{"query": [[1]], "values": [[1]], "causal": 1}""", HttpStatusCode.BadRequest, "causal must be true or false" },
        { "an unknown property", """{"query": [[1]], "values": [[1]], "temperature": 0.5}""", HttpStatusCode.BadRequest, "unknown property 'temperature'; properties are model, backend, query, keys, values, mask, causal" },
        { "a ragged query", """{"query": [[1, 2], [3]], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "query[1] has 1 number, expected 2" },
        { "a ragged row of keys", """{"query": [[1, 2]], "keys": [[1, 2, 3], [1, 2]], "values": [[1, 2], [3, 4]]}""", HttpStatusCode.BadRequest, "keys[1] has 2 numbers, expected 3" },
        { "a ragged batch", """{"query": [[[1, 2]], [[1, 2], [3, 4]]], "values": [[[1, 2]], [[1, 2]]]}""", HttpStatusCode.BadRequest, "query[1] has 2 rows, expected 1" },
        { "a number where a row was", """{"query": [[1, 2], 3], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "query[1] is a number, expected an array" },
        { "a row where a number was", """{"query": [[1, [2]]], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "query[0][1] is an array, expected a number" },
        { "an empty row", """{"query": [[]], "values": [[1]]}""", HttpStatusCode.BadRequest, "query[0] is empty" },
        { "empty values", """{"query": [[1]], "values": []}""", HttpStatusCode.BadRequest, "values is empty" },
        { "empty keys", """{"query": [[1]], "keys": [], "values": [[1]]}""", HttpStatusCode.BadRequest, "keys is empty" },
        { "an empty batch item", """{"query": [[[]]], "values": [[[1]]]}""", HttpStatusCode.BadRequest, "query[0][0] is empty" },
        { "an empty object", "{}", HttpStatusCode.BadRequest, "query is required" },
        { "rank 1 values", """{"query": [[1, 2]], "values": [1, 2]}""", HttpStatusCode.BadRequest, "values has rank 1 but query has rank 2" },
        { "rank 1 keys", """{"query": [[1, 2]], "keys": [1, 2], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "keys has rank 1 but query has rank 2" },
        { "rank 4 values", """{"query": [[1, 2]], "values": [[[[1, 2]]]]}""", HttpStatusCode.BadRequest, "values is nested deeper than rank 3" },
        { "rank 4 keys", """{"query": [[1, 2]], "keys": [[[[1, 2]]]], "values": [[1, 2]]}""", HttpStatusCode.BadRequest, "keys is nested deeper than rank 3" },
        { "rank 2 keys with rank 3 query", """{"query": [[[1, 2]]], "keys": [[1, 2]], "values": [[[1, 2]]]}""", HttpStatusCode.BadRequest, "keys has rank 2 but query has rank 3" },
        { "10,000 nested arrays in query", $$"""{"query": {{Nested(10_000)}}, "values": [[1]]}""", HttpStatusCode.BadRequest, "query is nested deeper than rank 3" },
        { "10,000 nested arrays as the body", Nested(10_000), HttpStatusCode.BadRequest, "must be a JSON object" },
        { "10,000 nested arrays as the model", $$"""{"model": {{Nested(10_000)}}, "query": [[1]], "values": [[1]]}""", HttpStatusCode.BadRequest, "model must be a string" },
        { "10,000 nested objects", string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000), HttpStatusCode.BadRequest, "unknown property 'a'" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task MalformedBodyIsProblemDetailsSayingWhatAndWhere(string @case, string body, HttpStatusCode status, string detail)
    {
        Assert.NotEmpty(@case);

        await Problems.AssertProblemAsync(await _client.PostRawAsync(body), status, detail);
    }

    /// <summary>Text that is not valid Unicode in a string the service decodes (model, backend, a property name).</summary>
    public static TheoryData<string, byte[], string> InvalidText => new()
    {
        { "a lone surrogate escape in model", Utf8("""{"model": "\ud800", "query": [[1]], "values": [[1]]}"""), "model" },
        { "a lone surrogate escape in backend", Utf8("""{"backend": "onnx\udfff", "query": [[1]], "values": [[1]]}"""), "backend" },
        { "invalid UTF-8 bytes in model", [.. Utf8("{\"model\": \""), 0xFF, 0xFE, .. Utf8("\", \"query\": [[1]], \"values\": [[1]]}")], "model" },
        { "invalid UTF-8 bytes in a property name", [.. Utf8("{\"qu"), 0xC3, 0x28, .. Utf8("ery\": [[1]], \"values\": [[1]]}")], "UTF-8" },
    };

    [Theory]
    [MemberData(nameof(InvalidText))]
    public async Task TextThatIsNotValidUnicodeIs400(string @case, byte[] body, string detail)
    {
        Assert.NotEmpty(@case);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        var response = await _client.PostAsync("/attend", content);

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostRawAsync("""{"query": [[1]], "values": [[1]]}""")).StatusCode);
    }

    /// <summary>Shapes that parse but do not fit the model: every fixed-d model, unbatched and batched.</summary>
    public static TheoryData<string, string, HttpStatusCode, string> ShapeMismatches()
    {
        var data = new TheoryData<string, string, HttpStatusCode, string>();
        foreach (var model in FixedDimensionModels)
        {
            data.Add(model, Body(model, query: M(1, 63), values: M(2, 64)), HttpStatusCode.UnprocessableEntity,
                $"model '{model}' takes d = 64 exactly (query [batch, tq, 64]); query has d = 63");
            data.Add(model, Body(model, query: M(1, 64), values: M(2, 65)), HttpStatusCode.UnprocessableEntity,
                $"model '{model}' takes d = 64 exactly (keys [batch, tv, 64]); values (as keys) has d = 65");
            data.Add(model, Body(model, query: M(1, 64), keys: M(2, 63), values: M(2, 64)), HttpStatusCode.UnprocessableEntity,
                $"model '{model}' takes d = 64 exactly (keys [batch, tv, 64]); keys has d = 63");
            data.Add(model, Body(model, query: M(1, 64), keys: M(3, 64), values: M(2, 64)), HttpStatusCode.UnprocessableEntity,
                $"model '{model}': values has tv = 2 but keys has tv = 3");
            data.Add(model, Body(model, query: B(2, 1, 64), keys: B(2, 2, 64), values: B(1, 2, 64)), HttpStatusCode.UnprocessableEntity,
                $"model '{model}': values has batch = 1 but query has batch = 2");
            data.Add(model, Body(model, query: B(2, 1, 64), keys: B(3, 2, 64), values: B(2, 2, 64)), HttpStatusCode.UnprocessableEntity,
                "keys has batch = 3 but query has batch = 2");
            data.Add(model, Body(model, query: B(1, 1, 64), values: M(2, 64)), HttpStatusCode.BadRequest,
                "values has rank 2 but query has rank 3");
            data.Add(model, Body(model, query: B(1, 1, 63), values: B(1, 2, 64)), HttpStatusCode.UnprocessableEntity,
                $"model '{model}' takes d = 64 exactly (query [batch, tq, 64]); query has d = 63");
        }
        data.Add("multihead", Body("multihead", query: M(1, 64), keys: M(2, 64), values: M(2, 32)), HttpStatusCode.UnprocessableEntity,
            "model 'multihead' takes dv = 64 exactly (values [batch, tv, 64]); values has dv = 32");
        data.Add("luong-dot", Body("luong-dot", query: M(1, 5), keys: M(2, 4), values: M(2, 5)), HttpStatusCode.UnprocessableEntity,
            "model 'luong-dot': keys has d = 4 but query has d = 5");
        data.Add("luong-dot", Body("luong-dot", query: B(2, 1, 4), values: B(2, 3, 4), keys: B(2, 2, 4)), HttpStatusCode.UnprocessableEntity,
            "model 'luong-dot': values has tv = 3 but keys has tv = 2");
        return data;
    }

    [Theory]
    [MemberData(nameof(ShapeMismatches))]
    public async Task ShapesThatDoNotFitTheModelNameTheTensorAndAxis(string model, string body, HttpStatusCode status, string detail)
    {
        Assert.NotEmpty(model);

        await Problems.AssertProblemAsync(await _client.PostRawAsync(body), status, detail);
    }

    private const string Unbatched = """ "query": [[1, 2], [3, 4]], "values": [[1, 2], [3, 4], [5, 6]] """;
    private const string Batched = """ "query": [[[1, 2]], [[3, 4]]], "values": [[[1, 2], [3, 4]], [[5, 6], [7, 8]]] """;

    /// <summary>Masks of the wrong length, type or rank, on unbatched (tq 2, tv 3) and batched (batch 2, tq 1, tv 2) requests.</summary>
    public static TheoryData<string, string, HttpStatusCode, string> BadMasks => new()
    {
        { Unbatched, """ "mask": [true, true, true, true] """, HttpStatusCode.UnprocessableEntity, "mask has shape [4], expected [3] for batch = 1, tq = 2, tv = 3" },
        { Unbatched, """ "mask": [[true, true]] """, HttpStatusCode.UnprocessableEntity, "mask has shape [1, 2], expected [2, 3]" },
        { Unbatched, """ "mask": [[true, true, true], [true, true, true], [true, true, true]] """, HttpStatusCode.UnprocessableEntity, "mask has shape [3, 3], expected [2, 3]" },
        { Unbatched, """ "mask": [[true, true, true], [true, true]] """, HttpStatusCode.BadRequest, "mask[1] has 2 booleans, expected 3" },
        { Unbatched, """ "mask": ["true", true, true] """, HttpStatusCode.BadRequest, "mask[0] is a string, expected a boolean" },
        { Unbatched, """ "mask": [true, null, true] """, HttpStatusCode.BadRequest, "mask[1] is null, expected a boolean" },
        { Unbatched, """ "mask": [[[[true]]]] """, HttpStatusCode.BadRequest, "mask is nested deeper than rank 3" },
        { Unbatched, """ "mask": [] """, HttpStatusCode.BadRequest, "mask is empty" },
        { Unbatched, """ "mask": [[]] """, HttpStatusCode.BadRequest, "mask[0] is empty" },
        { Unbatched, """ "mask": {} """, HttpStatusCode.BadRequest, "mask must be an array of booleans, got an object" },
        { Unbatched, """ "mask": true """, HttpStatusCode.BadRequest, "mask must be an array of booleans, got a boolean" },
        { Unbatched, """ "mask": [false, false, false] """, HttpStatusCode.UnprocessableEntity, "the mask leaves query position 0 nothing to attend to" },
        { Unbatched, """ "mask": [false, true, true], "causal": true """, HttpStatusCode.UnprocessableEntity, "the mask with causal leaves query position 0 nothing to attend to" },
        { Batched, """ "mask": [true, true] """, HttpStatusCode.BadRequest, "mask has rank 1; send [batch][tv] (padding) or [batch][tq][tv] booleans" },
        { Batched, """ "mask": [[true, true]] """, HttpStatusCode.UnprocessableEntity, "mask has shape [1, 2], expected [2, 2] for batch = 2, tq = 1, tv = 2" },
        { Batched, """ "mask": [[true, true, true], [true, true, true]] """, HttpStatusCode.UnprocessableEntity, "mask has shape [2, 3], expected [2, 2]" },
        { Batched, """ "mask": [[[true, true], [true, true]], [[true, true], [true, true]]] """, HttpStatusCode.UnprocessableEntity, "mask has shape [2, 2, 2], expected [2, 1, 2]" },
        { Batched, """ "mask": [[[true, true]], [[true]]] """, HttpStatusCode.BadRequest, "mask[1][0] has 1 boolean, expected 2" },
        { Batched, """ "mask": [[1, 0], [1, 1]] """, HttpStatusCode.BadRequest, "mask[0][0] is a number, expected a boolean" },
        { Batched, """ "mask": [[[[true, true]]]] """, HttpStatusCode.BadRequest, "mask is nested deeper than rank 3" },
        { Batched, """ "mask": [[true, true], [false, false]] """, HttpStatusCode.UnprocessableEntity, "the mask leaves batch 1, query position 0 nothing to attend to" },
        { Batched, """ "mask": [[[true, false]], [[false, false]]] """, HttpStatusCode.UnprocessableEntity, "the mask leaves batch 1, query position 0 nothing to attend to" },
    };

    [Theory]
    [MemberData(nameof(BadMasks))]
    public async Task BadMaskSaysWhichShapeWasExpected(string tensors, string mask, HttpStatusCode status, string detail) =>
        await Problems.AssertProblemAsync(await _client.PostRawAsync($"{{{tensors}, {mask}}}"), status, detail);

    public static TheoryData<string> PathLikeModelNames => new()
    {
        "../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/passwd", "luong-dot/../luong-dot", "./luong-dot", "luong-dot.onnx",
        "%2e%2e%2fetc%2fpasswd", "luong-dot\u0000", "", " luong-dot", "LUONG-DOT", "models/luong-dot", "~/luong-dot", "luong-dot\n",
    };

    [Theory]
    [MemberData(nameof(PathLikeModelNames))]
    public async Task ModelNamesWithPathCharactersAreUnknownModels(string model)
    {
        var response = await _client.PostRawAsync(AttendClient.Json(new { model, query = new[] { new[] { 1f } }, values = new[] { new[] { 1f } } }));

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, $"model '{model}' not found; models are bahdanau, dates, luong-dot");
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("")]
    [InlineData("auto")]
    [InlineData("onnx ")]
    [InlineData("cuda")]
    public async Task UnknownBackendIs400NamingTheBackends(string backend)
    {
        var response = await _client.PostRawAsync(AttendClient.Json(new { backend, query = new[] { new[] { 1f } }, values = new[] { new[] { 1f } } }));

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest, $"unknown backend '{backend}'; backends are onnx, managed");
    }

    /// <summary>Every configured bound, at one past the default limit.</summary>
    public static TheoryData<string, string> OverLimits => new()
    {
        { Body(null, query: B(Limits.MaxBatch + 1, 1, 1), values: B(Limits.MaxBatch + 1, 1, 1)),
            $"query has batch = {Limits.MaxBatch + 1}, the limit is {Limits.MaxBatch} (Attention:Limits:MaxBatch)" },
        { Body(null, query: M(Limits.MaxSequenceLength + 1, 1), values: M(1, 1)),
            $"query has {Limits.MaxSequenceLength + 1} positions, the limit is {Limits.MaxSequenceLength} (Attention:Limits:MaxSequenceLength)" },
        { Body(null, query: M(1, 1), keys: M(Limits.MaxSequenceLength + 1, 1), values: M(1, 1)),
            $"keys has {Limits.MaxSequenceLength + 1} positions, the limit is {Limits.MaxSequenceLength}" },
        { Body(null, query: M(1, Limits.MaxFeatures + 1), values: M(1, Limits.MaxFeatures + 1)),
            $"query has {Limits.MaxFeatures + 1} features, the limit is {Limits.MaxFeatures} (Attention:Limits:MaxFeatures)" },
        { Body(null, query: M(Limits.MaxSequenceLength, 1), values: M(Limits.MaxElements / Limits.MaxSequenceLength + 1, 1)),
            $"the weights would have batch·tq·tv = {(long)Limits.MaxSequenceLength * (Limits.MaxElements / Limits.MaxSequenceLength + 1)} numbers, the limit is {Limits.MaxElements}" },
        { Body(null, query: M(Limits.MaxElements / 2048 + 1, 2048, 0), values: M(1, 2048)),
            $"query has more than {Limits.MaxElements} numbers (Attention:Limits:MaxElements)" },
    };

    [Theory]
    [MemberData(nameof(OverLimits))]
    public async Task DimensionsOverTheLimitsAre413NamingTheSetting(string body, string detail) =>
        await Problems.AssertProblemAsync(await _client.PostRawAsync(body), HttpStatusCode.RequestEntityTooLarge, detail);

    /// <summary>Keys default to the values; an error about them must name what the client sent.</summary>
    public static TheoryData<string, HttpStatusCode, string> ValuesStandingInForKeys => new()
    {
        { Body(null, query: M(1, 1), values: M(Limits.MaxSequenceLength + 1, 1)), HttpStatusCode.RequestEntityTooLarge,
            $"has {Limits.MaxSequenceLength + 1} positions, the limit is {Limits.MaxSequenceLength}" },
        { Body(null, query: B(2, 1, 2), values: B(1, 2, 2)), HttpStatusCode.UnprocessableEntity, "has batch = 1 but query has batch = 2" },
    };

    [Theory]
    [MemberData(nameof(ValuesStandingInForKeys))]
    public async Task ErrorsAboutDefaultedKeysNameTheValues(string body, HttpStatusCode status, string detail)
    {
        var response = await _client.PostRawAsync(body);

        await Problems.AssertProblemAsync(response, status, detail);
        var problem = (string?)(await response.ReadObjectAsync())["detail"];
        Assert.StartsWith("values", problem);
        Assert.DoesNotContain("keys has", problem);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ABodyOfTensOfMegabytesIs413WithTheConfiguredLimit(bool withContentLength)
    {
        var body = BodyOfBytes(Limits.MaxBodyBytes + 8 * 1024 * 1024);
        using var content = withContentLength ? (HttpContent)new ByteArrayContent(body) : new StreamContent(new UnseekableStream(body));
        content.Headers.ContentType = new("application/json");

        var response = await _client.PostAsync("/attend", content);

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge,
            $"the limit is {Limits.MaxBodyBytes} bytes (Attention:Limits:MaxBodyBytes)");
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("text/json-ish")]
    [InlineData("application/jsonx")]
    [InlineData(null)]
    public async Task ABodyThatIsNotDeclaredJsonIs415(string? contentType)
    {
        using var content = new ByteArrayContent(Utf8("""{"query": [[1]], "values": [[1]]}"""));
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await _client.PostAsync("/attend", content);

        await Problems.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType,
            $"send the body as application/json, not '{contentType ?? "no content type"}'");
    }

    /// <summary>Finite inputs whose scores leave float32 are refused; where the math stays finite, stable softmax answers.</summary>
    public static TheoryData<string, string> NonFiniteScores()
    {
        var data = new TheoryData<string, string>();
        foreach (var backend in new[] { "onnx", "managed" })
        {
            data.Add(backend, Body("luong-dot", query: "[[1e30, 1e30]]", values: "[[1e30, 1e30], [1, 1]]"));
            data.Add(backend, Body("luong-dot", query: "[[1e20, 1e20]]", values: "[[1e20, -1e20], [1, 1]]"));
            data.Add(backend, Body("luong-dot", query: "[[1, 1]]", values: "[[3.4e38, 3.4e38], [3.4e38, 3.4e38]]"));
            foreach (var model in new[] { "scaled-dot", "luong-general", "multihead" })
                data.Add(backend, Body(model, query: M(1, 64, 1e30f), values: M(2, 64, 1e30f)));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(NonFiniteScores))]
    public async Task ScoresBeyondFloatRangeAre422NeverNaN(string backend, string body)
    {
        var response = await _client.PostRawAsync(body.Insert(1, $"\"backend\": \"{backend}\", "));

        await Problems.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "the result is not finite: the scores overflow float32");
    }

    [Theory]
    [InlineData("onnx", "[[1e18, 0]]", "[[1e18, 0], [0, 1e18]]", new[] { 1e18, 0 }, new[] { 1.0, 0 })]
    [InlineData("managed", "[[1e18, 0]]", "[[1e18, 0], [0, 1e18]]", new[] { 1e18, 0 }, new[] { 1.0, 0 })]
    [InlineData("onnx", "[[1e20, 1e20]]", "[[-1e20, -1e20], [1, 1]]", new[] { 1.0, 1 }, new[] { 0.0, 1 })]
    [InlineData("managed", "[[1e20, 1e20]]", "[[-1e20, -1e20], [1, 1]]", new[] { 1.0, 1 }, new[] { 0.0, 1 })]
    [InlineData("onnx", "[[1e-30, 1]]", "[[3.4e38, -3.4e38], [-3.4e38, 3.4e38]]", new[] { -3.4e38, 3.4e38 }, new[] { 0.0, 1 })]
    [InlineData("managed", "[[1e-30, 1]]", "[[3.4e38, -3.4e38], [-3.4e38, 3.4e38]]", new[] { -3.4e38, 3.4e38 }, new[] { 0.0, 1 })]
    public async Task HugeButFiniteScoresGiveTheExactStableSoftmax(string backend, string query, string values, double[] context, double[] weights)
    {
        var response = await _client.PostRawAsync($$"""{"backend": "{{backend}}", "query": {{query}}, "values": {{values}}}""");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var body = await response.ReadObjectAsync();
        Numerics.AssertClose(context, AttendClient.Matrix(body["context"])[0], 1e-6, relative: true);
        Numerics.AssertClose(weights, AttendClient.Matrix(body["weights"])[0], 1e-6, relative: true);
    }

    [Theory]
    [InlineData("onnx")]
    [InlineData("managed")]
    public async Task AdditiveAttentionSaturatesOnHugeInputsAndStaysFinite(string backend)
    {
        var response = await _client.PostRawAsync(Body("bahdanau", query: M(1, 64, 1e30f), values: M(3, 64, 1e30f)).Insert(1, $"\"backend\": \"{backend}\", "));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var body = await response.ReadObjectAsync();
        var weights = AttendClient.Matrix(body["weights"])[0];
        Assert.Equal(1.0, weights.Sum(w => (double)w), 5);
        Assert.All(AttendClient.Matrix(body["context"])[0], c => Assert.Equal(1.0, c / 1e30, 5));
    }

    public static TheoryData<string, string, string> WrongMethods => new()
    {
        { "GET", "/attend", "POST" }, { "PUT", "/attend", "POST" }, { "DELETE", "/attend", "POST" }, { "PATCH", "/attend", "POST" },
        { "OPTIONS", "/attend", "POST" },
        { "POST", "/models", "GET" }, { "PUT", "/models", "GET" }, { "DELETE", "/models", "GET" },
        { "POST", "/models/luong-dot", "GET" }, { "PUT", "/models/luong-dot", "GET" }, { "DELETE", "/models/luong-dot", "GET" },
        { "POST", "/health/live", "GET" }, { "PUT", "/health/live", "GET" }, { "DELETE", "/health/live", "GET" },
        { "POST", "/health/ready", "GET" }, { "PUT", "/health/ready", "GET" }, { "DELETE", "/health/ready", "GET" },
    };

    [Theory]
    [MemberData(nameof(WrongMethods))]
    public async Task WrongMethodOnEveryRouteIs405NamingTheAllowedOne(string method, string path, string allowed)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };

        var response = await _client.SendAsync(request);

        await Problems.AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed, $"{method} is not allowed on {path}; allowed: {allowed}");
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/nope")]
    [InlineData("POST", "/attend/luong-dot")]
    [InlineData("GET", "/models/luong-dot/inputs")]
    [InlineData("POST", "/v1/models/luong-dot:predict")]
    [InlineData("GET", "/health")]
    [InlineData("POST", "/swagger/v1/swagger.json")]
    public async Task UnknownRouteIs404ProblemDetails(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        var response = await _client.SendAsync(request);

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound, $"no endpoint at {path}");
    }

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Body(string? model, string query, string values, string? keys = null) =>
        $$"""{{{(model is null ? "" : $"\"model\": \"{model}\", ")}}"query": {{query}}, {{(keys is null ? "" : $"\"keys\": {keys}, ")}}"values": {{values}}}""";

    /// <summary>A [rows][cols] matrix of <paramref name="x"/> as JSON.</summary>
    private static string M(int rows, int cols, float x = 0.5f)
    {
        var row = "[" + string.Join(",", Enumerable.Repeat(x.ToString("R", System.Globalization.CultureInfo.InvariantCulture), cols)) + "]";
        return "[" + string.Join(",", Enumerable.Repeat(row, rows)) + "]";
    }

    /// <summary>A [batch][rows][cols] tensor of 0.5 as JSON.</summary>
    private static string B(int batch, int rows, int cols) => "[" + string.Join(",", Enumerable.Repeat(M(rows, cols), batch)) + "]";

    /// <summary>A valid-looking request padded with extra rows of values to at least <paramref name="bytes"/> bytes.</summary>
    private static byte[] BodyOfBytes(long bytes)
    {
        var text = new StringBuilder("""{"query": [[1, 2]], "values": [[1, 2]""", (int)bytes + 64);
        while (text.Length < bytes) text.Append(", [1, 2]");
        return Utf8(text.Append("]}").ToString());
    }

    /// <summary>A body stream of unknown length, so the client sends it chunked, without Content-Length.</summary>
    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

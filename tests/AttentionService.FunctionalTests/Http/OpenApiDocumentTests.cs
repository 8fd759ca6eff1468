using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AttentionService.Tests.Support;
using Json.Schema;

namespace AttentionService.Tests.Http;

/// <summary>
/// The OpenAPI document (/swagger/v1/swagger.json) against what the service and its docs do: every request the docs
/// show (docs/examples, the README's /attend bodies, the document's own examples) is valid for the document's request
/// schema, a body the service refuses for its types is not, and the 200 example is the answer the service gives.
/// </summary>
public sealed partial class OpenApiDocumentTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    /// <summary>Every request body the docs show: each docs/examples file, and each README curl's body to /attend.</summary>
    public static TheoryData<string> DocumentedRequests()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs", "examples"), "*.json").Order())
            data.Add($"docs/examples/{Path.GetFileName(file)}");
        for (var i = 0; i < ReadmeBodies().Count; i++) data.Add($"README.md /attend body {i + 1}");
        return data;
    }

    private static List<string> ReadmeBodies() =>
        [.. CurlToAttend().Matches(File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"))).Select(m => m.Groups["body"].Value)];

    private static string Body(string source) => source.StartsWith("docs/", StringComparison.Ordinal)
        ? File.ReadAllText(Path.Combine(RepoPaths.Root, source))
        : ReadmeBodies()[int.Parse(source.Split(' ')[^1]) - 1];

    [Fact]
    public void TheReadmeShowsAttendBodiesIncludingAMask() =>
        Assert.Contains(ReadmeBodies(), body => JsonNode.Parse(body)!["mask"] is not null);

    [Theory]
    [MemberData(nameof(DocumentedRequests))]
    public async Task ADocumentedRequestIsValidForTheOpenApiRequestSchema(string source)
    {
        var request = await SchemaAsync("AttendRequest");

        AssertValid(request, Body(source), source);
    }

    [Fact]
    public async Task TheOpenApiDocumentsOwnRequestExamplesAreValid()
    {
        var document = await DocumentAsync();
        var request = Schema(document, "AttendRequest");

        var examples = document["paths"]!["/attend"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        Assert.NotEmpty(examples);
        foreach (var (name, example) in examples) AssertValid(request, example!["value"]!.ToJsonString(), name);
    }

    /// <summary>The document and the service agree: a mask of numbers is refused by both, a rank-1 mask of booleans taken by both.</summary>
    [Theory]
    [InlineData("""{"model": "luong-dot", "query": [[1, 0]], "values": [[1, 0], [0, 1]], "mask": [[1, 0]]}""", false)]
    [InlineData("""{"model": "luong-dot", "query": [[1, 0]], "values": [[1, 0], [0, 1]], "mask": [1, 0]}""", false)]
    [InlineData("""{"model": "luong-dot", "query": [[1, 0]], "values": [[1, 0], [0, 1]], "mask": [true, false]}""", true)]
    [InlineData("""{"model": "luong-dot", "query": [[1, 0]], "values": [[1, 0], [0, 1]], "mask": [[true, false]]}""", true)]
    [InlineData("""{"model": "luong-dot", "query": [[1, 0]], "values": [[1, 0], [0, 1]], "backend": null}""", false)]
    public async Task TheOpenApiRequestSchemaTakesWhatTheServiceTakes(string body, bool valid)
    {
        var request = await SchemaAsync("AttendRequest");

        var result = request.Evaluate(JsonDocument.Parse(body).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var response = await _client.PostRawAsync(body);

        Assert.Equal(valid, result.IsValid);
        Assert.Equal(valid ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task TheOpenApiFieldsAreTypedAsTheWireIs()
    {
        var schemas = (await DocumentAsync())["components"]!["schemas"]!;

        foreach (var name in new[] { "AttendRequest", "AttendResponse", "TokenLabels", "TextResponse", "Decoding", "TensorMetadata", "ModelList" })
            foreach (var (field, property) in schemas[name]!["properties"]!.AsObject())
                Assert.True(property!["nullable"] is null, $"{name}.{field} is nullable: {property.ToJsonString()}");
        Assert.Null(schemas["ModelMetadata"]!["properties"]!["forms"]!["nullable"]);
        Assert.Contains("forms", schemas["ModelMetadata"]!["required"]!.AsArray().Select(n => (string)n!));
        // Every array says what it holds.
        Assert.DoesNotContain("\"items\":{}", schemas.ToJsonString());
        Assert.Equal(["onnx", "managed"], schemas["AttendRequest"]!["properties"]!["backend"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["onnx", "managed"], schemas["AttendResponse"]!["properties"]!["backend"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["each", "average"], schemas["AttendRequest"]!["properties"]!["heads"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["context", "weights"], schemas["AttendRequest"]!["properties"]!["include"]!["items"]!["enum"]!.AsArray().Select(n => (string)n!));
    }

    /// <summary>One request example per model the service serves, named for it, each answered 200 by that model.</summary>
    [Fact]
    public async Task EveryModelHasARequestExampleThatAnswers()
    {
        var document = await DocumentAsync();
        var examples = document["paths"]!["/attend"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        var models = (await _client.GetFromJsonAsync<JsonObject>("/models"))!["models"]!.AsArray().Select(m => (string)m!["name"]!);

        Assert.Equal(models.Order(), examples.Select(e => e.Key).Order());
        Assert.Equal("luong-dot", examples.First().Key);
        foreach (var (name, example) in examples)
        {
            var response = await _client.PostRawAsync(example!["value"]!.ToJsonString());
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal(name, (string?)(await response.ReadObjectAsync())["model"]);
        }
        Assert.Contains("source", examples["dates"]!["value"]!.AsObject().Select(p => p.Key));
    }

    /// <summary>
    /// Each 200 example (tensors for luong-dot, text for dates) is the answer to the request example of the same name
    /// (not a sample drawn from the schema), and it and the answer are valid for the 200 schema.
    /// </summary>
    [Theory]
    [InlineData("luong-dot", "AttendResponse")]
    [InlineData("dates", "TextResponse")]
    public async Task TheOpenApi200ExampleIsTheAnswerToTheRequestExample(string name, string schema)
    {
        var document = await DocumentAsync();
        var post = document["paths"]!["/attend"]!["post"]!;
        var request = post["requestBody"]!["content"]!["application/json"]!["examples"]![name]!["value"]!;
        var example = post["responses"]!["200"]!["content"]!["application/json"]!["examples"]![name]!["value"]!;

        var response = await _client.PostRawAsync(request.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadObjectAsync();
        AssertValid(Schema(document, schema), example.ToJsonString(), "the 200 example");
        AssertValid(Schema(document, schema), answer.ToJsonString(), "the answer");
        Assert.Equal(example.AsObject().Select(p => p.Key).Order(), answer.Select(p => p.Key).Order());
        foreach (var (field, value) in example.AsObject())
        {
            if (IsNumbers(value))
            {
                var (expectedShape, expected) = FixtureRequests.Flatten(value!);
                var (shape, actual) = FixtureRequests.Flatten(answer[field]!);
                Assert.Equal(expectedShape, shape);
                // The text example's weights are rounded to 4 decimals.
                Numerics.AssertClose(expected, actual.Select(x => (float)x).ToArray(), 1e-4, field);
            }
            else Assert.Equal(value!.ToJsonString(), answer[field]!.ToJsonString());
        }
    }

    /// <summary>Each error example of /attend is what the service answers to the mistake it names, with its headers.</summary>
    [Theory]
    [InlineData("400")]
    [InlineData("404")]
    [InlineData("405")]
    [InlineData("413")]
    [InlineData("415")]
    [InlineData("422")]
    public async Task AnErrorExampleIsWhatTheServiceAnswers(string status)
    {
        var responses = (await DocumentAsync())["paths"]!["/attend"]!["post"]!["responses"]!;

        var response = status switch
        {
            "400" => await _client.PostRawAsync("""{"query": [[1, 0]], "values": [[1, 0], [0]]}"""),
            "404" => await _client.PostRawAsync("""{"model": "nope", "query": [[1, 0]], "values": [[1, 0]]}"""),
            "405" => await _client.GetAsync("/attend"),
            "413" => await _client.PostRawAsync(JsonSerializer.Serialize(new { query = Enumerable.Repeat(new[] { new[] { 1f, 0f } }, 100), values = Enumerable.Repeat(new[] { new[] { 1f, 0f } }, 100) })),
            "415" => await _client.PostRawAsync("{}", "text/plain"),
            _ => await _client.PostRawAsync("""{"query": [[1, 0]], "values": [[1, 0], [0, 1]], "mask": [false, false]}"""),
        };

        await AssertExampleAsync(responses[status]!, status, response);
        if (status == "405")
        {
            Assert.NotNull(responses[status]!["headers"]!["Allow"]);
            Assert.Equal(["POST"], response.Content.Headers.Allow);
        }
    }

    [Fact]
    public async Task The503ExampleIsWhatAFullQueueAnswersWithRetryAfter()
    {
        var gate = new GatedBackends();
        using var overloaded = new AttentionServiceFactory
        {
            Settings = { ["Attention:Concurrency:MaxConcurrentRuns"] = "1", ["Attention:Concurrency:QueueLength"] = "0" },
            ConfigureTestServices = gate.Install,
        };
        var client = overloaded.CreateClient();
        var responses = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!["paths"]!["/attend"]!["post"]!["responses"]!;
        const string body = """{"query": [[1, 0]], "values": [[1, 0], [0, 1]]}""";

        var running = client.PostRawAsync(body);
        await gate.WaitUntilEnteredAsync(1);
        var refused = await client.PostRawAsync(body);
        gate.Open(1);

        await AssertExampleAsync(responses["503"]!, "503", refused);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("integer", (string?)responses["503"]!["headers"]!["Retry-After"]!["schema"]!["type"]);
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
    }

    /// <summary>Nested arrays whose first leaf is a number (a tensor), not labels.</summary>
    private static bool IsNumbers(JsonNode? node)
    {
        while (node is JsonArray { Count: > 0 } array) node = array[0];
        return node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && node.Parent is JsonArray;
    }

    /// <summary>The response's problem, less its per-request traceId, is the document's example for the status.</summary>
    private static async Task AssertExampleAsync(JsonNode documented, string status, HttpResponseMessage response)
    {
        Assert.Equal(status, ((int)response.StatusCode).ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadObjectAsync();
        problem.Remove("traceId");
        var example = documented["content"]!["application/problem+json"]!["examples"]![status]!["value"]!;
        Assert.Equal(example.ToJsonString(), problem.ToJsonString());
    }

    /// <summary>What GET /models and GET /models/{name} answer (nulls included) is valid for the document's schemas.</summary>
    [Fact]
    public async Task TheModelsAnswersAreValidForTheirSchemas()
    {
        var document = await DocumentAsync();

        AssertValid(Schema(document, "ModelList"), await _client.GetStringAsync("/models"), "GET /models");
        foreach (var name in new[] { "luong-dot", "dates", "multihead" })
            AssertValid(Schema(document, "ModelMetadata"), await _client.GetStringAsync($"/models/{name}"), $"GET /models/{name}");
    }

    /// <summary>Health and metrics are in the document as they answer: the health reports valid for their schema, /metrics text.</summary>
    [Fact]
    public async Task HealthAndMetricsAreDescribedAsTheyAnswer()
    {
        var document = await DocumentAsync();
        var paths = document["paths"]!;

        foreach (var path in new[] { "/health/live", "/health/ready" })
        {
            var response = await _client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotNull(paths[path]!["get"]!["responses"]!["200"]!["content"]!["application/json"]);
            AssertValid(Schema(document, "HealthReport"), await response.Content.ReadAsStringAsync(), path);
        }
        Assert.NotNull(paths["/health/ready"]!["get"]!["responses"]!["503"]);
        var metrics = await _client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        var media = paths["/metrics"]!["get"]!["responses"]!["200"]!["content"]!.AsObject().Single().Key;
        Assert.Equal(media, metrics.Content.Headers.ContentType?.MediaType);
        Assert.Contains("docs/metrics.md", (string?)paths["/metrics"]!["get"]!["description"]);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "docs", "metrics.md")));
    }

    [Fact]
    public async Task MetricsTurnedOffAreNotInTheDocument()
    {
        using var off = new AttentionServiceFactory { Settings = { ["Attention:Exposure:Metrics"] = "Off" } };

        var document = JsonNode.Parse(await off.CreateClient().GetStringAsync("/swagger/v1/swagger.json"))!;

        Assert.Null(document["paths"]!["/metrics"]);
        Assert.NotNull(document["paths"]!["/health/ready"]);
    }

    private static void AssertValid(JsonSchema schema, string body, string label)
    {
        var result = schema.Evaluate(JsonDocument.Parse(body).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, $"{label} does not match the OpenAPI schema:\n{OpenApiSchemas.Errors(result)}");
    }

    private async Task<JsonNode> DocumentAsync() => JsonNode.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"))!;

    private async Task<JsonSchema> SchemaAsync(string name) => Schema(await DocumentAsync(), name);

    private static JsonSchema Schema(JsonNode document, string name) =>
        OpenApiSchemas.ToJsonSchema(document["components"]!["schemas"]!, name, $"https://attention-service.test/openapi/{name}/{Guid.NewGuid():N}");

    /// <summary>A curl to /attend whose body is given inline (-d '{…}'), on its line or a continued one.</summary>
    [GeneratedRegex(@"curl [^\n]*?/attend\b(?:[^\n]|\\\n)*?-d '(?<body>\{[^']*\})'")]
    private static partial Regex CurlToAttend();
}

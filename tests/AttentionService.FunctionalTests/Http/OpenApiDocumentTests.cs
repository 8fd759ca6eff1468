using System.Net;
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

        foreach (var name in new[] { "AttendRequest", "AttendResponse", "TokenLabels" })
            foreach (var (field, property) in schemas[name]!["properties"]!.AsObject())
                Assert.True(property!["nullable"] is null, $"{name}.{field} is nullable: {property.ToJsonString()}");
        Assert.Equal(["onnx", "managed"], schemas["AttendRequest"]!["properties"]!["backend"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["onnx", "managed"], schemas["AttendResponse"]!["properties"]!["backend"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["each", "average"], schemas["AttendRequest"]!["properties"]!["heads"]!["enum"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["context", "weights"], schemas["AttendRequest"]!["properties"]!["include"]!["items"]!["enum"]!.AsArray().Select(n => (string)n!));
    }

    /// <summary>The 200 example is the answer to the tensor request example (not a sample drawn from the schema), and valid for the answer's schema.</summary>
    [Fact]
    public async Task TheOpenApi200ExampleIsTheAnswerToTheRequestExample()
    {
        var document = await DocumentAsync();
        var post = document["paths"]!["/attend"]!["post"]!;
        var request = post["requestBody"]!["content"]!["application/json"]!["examples"]!["tensors"]!["value"]!;
        var example = post["responses"]!["200"]!["content"]!["application/json"]!["examples"]!["tensors"]!["value"]!;

        var response = await _client.PostRawAsync(request.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadObjectAsync();
        AssertValid(Schema(document, "AttendResponse"), example.ToJsonString(), "the 200 example");
        AssertValid(Schema(document, "AttendResponse"), answer.ToJsonString(), "the answer");
        Assert.Equal((string?)answer["model"], (string?)example["model"]);
        foreach (var part in new[] { "context", "weights" })
        {
            var (shape, actual) = FixtureRequests.Flatten(answer[part]!);
            var (expectedShape, expected) = FixtureRequests.Flatten(example[part]!);
            Assert.Equal(expectedShape, shape);
            Numerics.AssertClose(expected, actual.Select(x => (float)x).ToArray(), 1e-5, part);
        }
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

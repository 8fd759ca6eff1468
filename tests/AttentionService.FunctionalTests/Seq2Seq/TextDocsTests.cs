using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Seq2Seq;

/// <summary>The README's text example and the OpenAPI document's request examples answer as documented.</summary>
public sealed class TextDocsTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    private const string Heading = "### Text, for a seq2seq model";

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task TheReadmeTextExampleAnswersTheOutputItShows()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var start = readme.IndexOf(Heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no section '{Heading}'");
        var section = readme[start..];
        var next = section.IndexOf("\n## ", StringComparison.Ordinal);
        if (next >= 0) section = section[..next];
        var curl = Regex.Match(section, @"```sh\n(?<command>.*?)```", RegexOptions.Singleline).Groups["command"].Value;
        var body = Regex.Match(curl, @"-d '(?<body>[^']*)'").Groups["body"].Value;
        Assert.Contains("/attend", curl);
        Assert.Contains("\"source\"", body);
        var shown = Regex.Match(section, "\"output\":\"(?<output>[^\"]*)\"").Groups["output"].Value;

        var response = await _client.PostRawAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadObjectAsync();
        Assert.Equal("2026-11-24", (string?)answer["output"]);
        Assert.Equal(shown, (string?)answer["output"]);
        foreach (var field in new[] { "sourceTokens", "outputTokens", "stop", "context", "weights" })
            Assert.NotNull(answer[field]);
    }

    [Fact]
    public async Task EveryOpenApiRequestExampleAnswers()
    {
        var document = JsonNode.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"))!;
        var examples = document["paths"]!["/attend"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();

        // One per model, the default model first (OpenApiDocumentTests checks them against GET /models).
        Assert.Equal(["luong-dot", "bahdanau", "dates", "luong-general", "multihead", "scaled-dot"], examples.Select(e => e.Key));
        foreach (var (name, example) in examples)
        {
            var response = await _client.PostRawAsync(example!["value"]!.ToJsonString());
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"example {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        var request = document["components"]!["schemas"]!["AttendRequest"]!["properties"]!;
        Assert.Equal("string", (string?)request["source"]!["type"]);
        Assert.Equal("array", (string?)request["sources"]!["type"]);
        var answers = document["paths"]!["/attend"]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["oneOf"]!.AsArray();
        Assert.Equal(["#/components/schemas/AttendResponse", "#/components/schemas/TextResponse"], answers.Select(a => (string)a!["$ref"]!));
        Assert.NotNull(document["components"]!["schemas"]!["TextResponse"]!["properties"]!["weights"]);
    }
}

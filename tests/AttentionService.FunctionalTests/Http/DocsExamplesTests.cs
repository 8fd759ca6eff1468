using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Http;

/// <summary>The README's example requests (docs/examples) answer the weights the README shows.</summary>
public sealed class DocsExamplesTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string, string> Examples()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var data = new TheoryData<string, string>();
        foreach (Match row in Regex.Matches(readme, @"^\| `(?<file>[\w-]+\.json)` \| `(?<weights>\[.*\])` \|$", RegexOptions.Multiline))
            data.Add(row.Groups["file"].Value, row.Groups["weights"].Value);
        return data;
    }

    [Fact]
    public void EveryExampleFileHasItsWeightsInTheReadme() =>
        Assert.Equal(Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs", "examples"), "*.json").Select(Path.GetFileName).Order(),
            Examples().Select(row => (string)row[0]).Order());

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task AnExampleAnswersTheWeightsTheReadmeShows(string file, string weights)
    {
        var response = await _client.PostRawAsync(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "examples", file)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (shape, actual) = FixtureRequests.Flatten((await response.ReadObjectAsync())["weights"]!);
        var (expectedShape, expected) = FixtureRequests.Flatten(JsonNode.Parse(weights)!);
        Assert.Equal(expectedShape, shape);
        Numerics.AssertClose(expected, actual.Select(x => (float)x).ToArray(), 1e-5, file);
    }
}

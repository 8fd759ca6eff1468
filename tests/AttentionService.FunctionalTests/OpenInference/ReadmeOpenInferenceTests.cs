using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.OpenInference;

/// <summary>The README's "Open Inference Protocol (KServe v2)" section: its curl request answers the JSON it shows.</summary>
public sealed partial class ReadmeOpenInferenceTests(SharedServiceProcess shared) : IClassFixture<SharedServiceProcess>
{
    private const string Section = "## Open Inference Protocol (KServe v2)";

    [Fact]
    public async Task TheCurlExampleAnswersTheJsonTheReadmeShows()
    {
        var text = SectionText();
        var curl = CurlExample().Match(text);
        Assert.True(curl.Success, "the section has no curl example with a -d '…' body");
        var expected = JsonNode.Parse(JsonBlock().Match(text, curl.Index).Groups["json"].Value)!;

        var path = new Uri(curl.Groups["url"].Value).AbsolutePath;
        var response = await shared.Service.Client.PostAsync(path, new StringContent(curl.Groups["body"].Value, Encoding.UTF8, "application/json"));

        var answer = await OpenInferenceSpec.AssertConformsAsync(HttpMethod.Post, path, response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(expected, answer), $"README: {expected!.ToJsonString()}\nservice: {answer!.ToJsonString()}");
    }

    private static string SectionText()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var start = readme.IndexOf(Section, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no section \"{Section}\"");
        var end = readme.IndexOf("\n## ", start + Section.Length, StringComparison.Ordinal);
        return readme[start..(end < 0 ? readme.Length : end)];
    }

    [GeneratedRegex(@"curl -s -X POST (?<url>http://\S+) .*?-d '(?<body>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex CurlExample();

    [GeneratedRegex(@"```json\n(?<json>.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}

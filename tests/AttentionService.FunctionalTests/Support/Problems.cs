using System.Net;
using System.Text.Json.Nodes;

namespace AttentionService.Tests.Support;

/// <summary>What every error answer must be: problem+json with the status, a detail that says what is wrong, no stack trace.</summary>
public static class Problems
{
    /// <summary>
    /// The response is a problem of <paramref name="status"/> whose detail contains <paramref name="detailContains"/>
    /// (not checked when null), and leaks no exception.
    /// </summary>
    public static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? detailContains)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, (int?)problem["status"]);
        if (detailContains is not null)
            Assert.Contains(detailContains, (string?)problem["detail"] ?? "");
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain("   at ", text);
    }
}

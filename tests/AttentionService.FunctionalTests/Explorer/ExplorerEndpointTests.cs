using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AttentionService.Hosting;
using AttentionService.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AttentionService.Tests.Explorer;

/// <summary>
/// /explore over HTTP: the page and its two files, under their own Content-Security-Policy, cached with ETags, with
/// only relative URLs of their own; /explore/ redirects relatively; Attention:Exposure:Explorer=Off turns it all into
/// 404 and takes the link out of the Swagger description.
/// </summary>
public sealed partial class ExplorerEndpointTests(AttentionServiceFactory factory) : IClassFixture<AttentionServiceFactory>
{
    private readonly HttpClient _client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Theory]
    [InlineData("/explore", "text/html")]
    [InlineData("/explore/explore.js", "text/javascript")]
    [InlineData("/explore/explore.css", "text/css")]
    public async Task ThePageAndItsFilesAreServedUnderThePagePolicyAndRevalidatedByETag(string path, string mediaType)
    {
        var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SecurityHeaders.ExplorerPolicy, string.Join(';', response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("DENY", string.Join(';', response.Headers.GetValues("X-Frame-Options")));
        Assert.True(response.Headers.CacheControl?.NoCache, $"Cache-Control: {response.Headers.CacheControl}");
        var etag = Assert.IsType<EntityTagHeaderValue>(response.Headers.ETag);

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task ThePageLoadsOnlyItsOwnFilesByRelativeUrlsAndNothingInline()
    {
        var html = await _client.GetStringAsync("/explore");
        var js = await _client.GetStringAsync("/explore/explore.js");
        var css = await _client.GetStringAsync("/explore/explore.css");

        var references = ReferenceAttribute().Matches(html).Select(m => m.Groups["url"].Value).ToArray();
        Assert.Equal(["data:,", "explore/explore.css", "explore/explore.js"], references.Order());
        // No inline script or style for the policy to block, no remote anything.
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)", html);
        Assert.DoesNotContain("<style", html);
        Assert.DoesNotMatch(@"\sstyle=", html);
        Assert.DoesNotMatch(@"\son[a-z]+=", html);
        Assert.DoesNotContain("url(", css);
        Assert.DoesNotContain("@import", css);
        // The script reaches the service only by the page-relative paths models and attend; the one absolute URL is
        // the SVG namespace, an identifier that is never fetched.
        Assert.Equal(["http://www.w3.org/2000/svg"], AbsoluteUrl().Matches(js).Select(m => m.Value).Distinct());
        Assert.Equal(["attend", "models"], ServiceCall().Matches(js).Select(m => m.Groups["path"].Value).Distinct().Order());
    }

    [Fact]
    public async Task ASlashAfterExploreRedirectsRelativelySoAProxyPrefixIsKept()
    {
        var response = await _client.GetAsync("/explore/");
        var withQuery = await _client.GetAsync("/explore/?model=dates");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("../explore", response.Headers.Location?.OriginalString);
        Assert.Equal("../explore?model=dates", withQuery.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/explore/nothing.js")]
    [InlineData("/explore/explore.html")]
    public async Task AFileThePageDoesNotHaveIs404(string path) =>
        await Problems.AssertProblemAsync(await _client.GetAsync(path), HttpStatusCode.NotFound, "no endpoint at");

    [Fact]
    public async Task TheSwaggerDescriptionLinksTheExplorerRelatively()
    {
        var document = JsonNode.Parse(await _client.GetStringAsync(SwaggerExtensions.DocumentPath))!;

        Assert.Contains("[attention explorer](../explore)", (string?)document["info"]!["description"]);
    }

    [Fact]
    public async Task WithTheExplorerOffEveryExplorerPathIs404AndSwaggerDoesNotLinkIt()
    {
        await using var off = new AttentionServiceFactory { Settings = { ["Attention:Exposure:Explorer"] = "Off" } };
        using var client = off.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        foreach (var path in new[] { "/explore", "/explore/", "/explore/explore.js", "/EXPLORE", "/%65xplore" })
            await Problems.AssertProblemAsync(await client.GetAsync(path), HttpStatusCode.NotFound, "no endpoint at");
        var document = JsonNode.Parse(await client.GetStringAsync(SwaggerExtensions.DocumentPath))!;
        Assert.DoesNotContain("explore", (string?)document["info"]!["description"]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/models")).StatusCode);
    }

    [Fact]
    public async Task OnTheManagementSettingThePageAnswersOnlyOnTheManagementPort()
    {
        var managementPort = ServiceProcess.FreePort();
        await using var service = await ServiceProcess.StartAsync(AppContext.BaseDirectory,
            "--Attention:Exposure:Explorer=Management", $"--Attention:Exposure:ManagementPort={managementPort}");
        await service.WaitForOutputAsync($"only there: {ExplorerExtensions.PathPrefix}", TimeSpan.FromSeconds(30));
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };

        await Problems.AssertProblemAsync(await service.Client.GetAsync("/explore"), HttpStatusCode.NotFound, "no endpoint at /explore");
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("/explore")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("/explore/explore.js")).StatusCode);
    }

    [GeneratedRegex(@"\s(?:src|href)=""(?<url>[^""]*)""")]
    private static partial Regex ReferenceAttribute();

    [GeneratedRegex("""https?://[^\s'"`)]+""")]
    private static partial Regex AbsoluteUrl();

    [GeneratedRegex("""service\('(?<path>[^']*)'\)""")]
    private static partial Regex ServiceCall();
}

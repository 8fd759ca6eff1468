using System.Net;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// Cross-origin browser requests: with Attention:Cors:AllowedOrigins a page from a listed origin may call the API (its
/// preflight gets 204 with the Access-Control headers), a page from any other origin gets no allow headers, so its
/// browser withholds the answer; with none configured (the default) no CORS header is ever sent.
/// </summary>
public sealed class CrossOriginTests : IClassFixture<CrossOriginTests.AllowingOneOrigin>
{
    private const string Allowed = "https://app.example.com";
    private const string Other = "https://evil.example";

    public sealed class AllowingOneOrigin : AttentionServiceFactory
    {
        public AllowingOneOrigin() => Settings["Attention:Cors:AllowedOrigins:0"] = Allowed;
    }

    private readonly HttpClient _client;

    public CrossOriginTests(AllowingOneOrigin factory) => _client = factory.CreateClient();

    [Theory]
    [InlineData("/attend", "POST")]
    [InlineData("/models", "GET")]
    [InlineData("/models/luong-dot", "GET")]
    public async Task APreflightFromAnAllowedOriginGets204WithTheAccessControlHeaders(string path, string method)
    {
        var response = await _client.SendAsync(Preflight(path, Allowed, method));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Allowed, Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("GET,POST", Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal("Content-Type", Header(response, "Access-Control-Allow-Headers"));
        Assert.Equal("600", Header(response, "Access-Control-Max-Age"));
    }

    [Fact]
    public async Task APreflightFromAnotherOriginGetsNoAllowHeaders()
    {
        var response = await _client.SendAsync(Preflight("/attend", Other, "POST"));

        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task APreflightAskingForAMethodOrHeaderTheApiDoesNotUseIsNotGrantedThem()
    {
        var delete = await _client.SendAsync(Preflight("/attend", Allowed, "DELETE"));
        var header = Preflight("/attend", Allowed, "POST");
        header.Headers.Add("Access-Control-Request-Headers", "x-api-key");
        var withHeader = await _client.SendAsync(header);

        // The browser compares what it asked for with what is granted, and sends nothing when it is not all there.
        Assert.DoesNotContain("DELETE", Header(delete, "Access-Control-Allow-Methods") ?? "");
        Assert.DoesNotContain("x-api-key", Header(withHeader, "Access-Control-Allow-Headers") ?? "", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheAnswerToAnAllowedOriginNamesItAndExposesRetryAfter()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/attend")
        {
            Content = new StringContent("""{"query": [[1, 0]], "values": [[1, 0], [0, 1]]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Origin", Allowed);
        var allowed = await _client.SendAsync(request);
        using var other = new HttpRequestMessage(HttpMethod.Get, "/models");
        other.Headers.Add("Origin", Other);
        var refused = await _client.SendAsync(other);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(Allowed, Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Equal("Retry-After", Header(allowed, "Access-Control-Expose-Headers"));
        // The request is served (CORS is the browser's to enforce), but without a header that lets a page read it.
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Null(Header(refused, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task OnlyTheApiTakesPartInCors()
    {
        foreach (var path in new[] { "/metrics", "/health/ready", "/swagger/v1/swagger.json" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Origin", Allowed);
            var response = await _client.SendAsync(request);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        }
    }

    [Fact]
    public async Task AnyOriginWhenTheListIsAStar()
    {
        using var factory = new AttentionServiceFactory { Settings = { ["Attention:Cors:AllowedOrigins:0"] = "*" } };

        var response = await factory.CreateClient().SendAsync(Preflight("/attend", Other, "POST"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task WithNoOriginsConfiguredNoCorsHeaderIsSentAndAPreflightIsJustAnOptionsRequest()
    {
        using var factory = new AttentionServiceFactory();
        var client = factory.CreateClient();

        var preflight = await client.SendAsync(Preflight("/attend", Allowed, "POST"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/models");
        request.Headers.Add("Origin", Allowed);
        var models = await client.SendAsync(request);

        await Problems.AssertProblemAsync(preflight, HttpStatusCode.MethodNotAllowed, "OPTIONS is not allowed on /attend");
        Assert.DoesNotContain(preflight.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.DoesNotContain(models.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    private static HttpRequestMessage Preflight(string path, string origin, string method)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}

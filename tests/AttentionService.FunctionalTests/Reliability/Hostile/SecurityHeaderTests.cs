using System.Net;
using System.Net.Sockets;
using System.Text;
using AttentionService.Hosting;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// Every answer of the real process, successes and errors alike, carries the browser-hardening headers and no
/// <c>Server</c> header; API answers are not cached; Swagger UI gets a policy that lets its own files run.
/// </summary>
public sealed class SecurityHeaderTests : IAsyncLifetime
{
    private ServiceProcess _service = null!;

    public async Task InitializeAsync() =>
        _service = await ServiceProcess.StartAsync(AppContext.BaseDirectory, "--Attention:Limits:MaxBodyBytes=1024");

    public async Task DisposeAsync() => await _service.DisposeAsync();

    public static TheoryData<string, string, string?, int> Requests => new()
    {
        { "POST", "/attend", """{"query": [[1, 0]], "values": [[1, 0], [0, 1]]}""", 200 },
        { "GET", "/models", null, 200 },
        { "GET", "/models/luong-dot", null, 200 },
        { "GET", "/health/live", null, 200 },
        { "GET", "/health/ready", null, 200 },
        { "GET", "/metrics", null, 200 },
        { "GET", "/no/such/path", null, 404 },
        { "GET", "/models/no-such-model", null, 404 },
        { "POST", "/attend", "{\"query\": [[" + new string('1', 2000) + "]]}", 413 },
        { "POST", "/attend", "{\"query\": ", 400 },
        { "DELETE", "/attend", null, 405 },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task EveryAnswerHasTheSecurityHeadersNoServerHeaderAndIsNotCached(string method, string path, string? body, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        var response = await _service.Client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        AssertHardened(response, SecurityHeaders.ApiPolicy);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control: {response.Headers.CacheControl}");
    }

    [Theory]
    [InlineData("/swagger/index.html")]
    [InlineData("/swagger/swagger-ui-bundle.js")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task SwaggerUiGetsAPolicyThatLetsItsOwnFilesRun(string path)
    {
        var response = await _service.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertHardened(response, SecurityHeaders.SwaggerUiPolicy);
    }

    [Fact]
    public async Task ARequestKestrelRefusesItselfHasNoServerHeader()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _service.Client.BaseAddress!.Port);
        await socket.SendAsync("GET /models HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"u8.ToArray());

        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0) answer.Append(Encoding.ASCII.GetString(buffer, 0, read));

        Assert.StartsWith("HTTP/1.1 400", answer.ToString());
        Assert.DoesNotContain("\r\nServer:", answer.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertHardened(HttpResponseMessage response, string policy)
    {
        Assert.False(response.Headers.Contains("Server"), $"Server: {string.Join(",", response.Headers.Server)}");
        Assert.Equal("nosniff", Single(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Single(response, "Referrer-Policy"));
        Assert.Equal("DENY", Single(response, "X-Frame-Options"));
        Assert.Equal(policy, Single(response, "Content-Security-Policy"));
    }

    private static string Single(HttpResponseMessage response, string name) =>
        Assert.Single(response.Headers.TryGetValues(name, out var values) ? values : []);
}

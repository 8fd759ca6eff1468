using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace AttentionService.Tests.Support;

/// <summary>
/// A reverse proxy on loopback that serves the service under a path prefix, as an ingress or nginx
/// <c>location /prefix/ { proxy_pass http://service/; }</c> does: <c>/prefix/explore</c> is forwarded as
/// <c>/explore</c>, anything outside the prefix is 404, and answers (redirects included) pass through unchanged.
/// Records every path it was asked for.
/// </summary>
public sealed class PathPrefixProxy : IAsyncDisposable
{
    /// <summary>Hop-by-hop headers, which a proxy does not forward (RFC 9110, 7.6.1), and Host, which it sets itself.</summary>
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly List<string> _paths = [];

    private PathPrefixProxy(WebApplication app, HttpClient upstream, Uri address)
    {
        _app = app;
        _upstream = upstream;
        Address = address;
    }

    /// <summary>The prefix's root, e.g. <c>http://127.0.0.1:41234/prefix/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Every path (with query) the proxy was asked for, in order.</summary>
    public IReadOnlyList<string> Paths
    {
        get { lock (_paths) return [.. _paths]; }
    }

    public static async Task<PathPrefixProxy> StartAsync(Uri service, string prefix)
    {
        var port = ServiceProcess.FreePort();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = service };
        var proxy = new PathPrefixProxy(app, upstream, new Uri($"http://127.0.0.1:{port}{prefix}/"));
        app.Run(http => proxy.ForwardAsync(http, prefix));
        await app.StartAsync();
        return proxy;
    }

    private async Task ForwardAsync(HttpContext http, string prefix)
    {
        lock (_paths) _paths.Add(http.Request.Path + http.Request.QueryString);
        if (!http.Request.Path.StartsWithSegments(prefix, out var rest))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), rest + http.Request.QueryString);
        if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0)
            request.Content = new StreamContent(http.Request.Body);
        foreach (var (name, values) in http.Request.Headers)
        {
            if (NotForwarded.Contains(name)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, [.. values])) request.Content?.Headers.TryAddWithoutValidation(name, [.. values]);
        }

        using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
        http.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            if (!NotForwarded.Contains(name)) http.Response.Headers[name] = values.ToArray();
        await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}

using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Net.Http.Headers;

namespace AttentionService.Hosting;

/// <summary>
/// The usual browser-hardening headers on every response the application writes (errors and status pages included),
/// and no <c>Server</c> header, which only tells an attacker what to try.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>JSON answers: nothing may load, run or frame them.</summary>
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>
    /// Swagger UI: its own scripts, style sheets and icons (inline SVG data URIs), requests back to this service, and
    /// the style element it injects at run time (Chromium blocks it otherwise). Scripts stay limited to its own files.
    /// </summary>
    public const string SwaggerUiPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// The attention explorer: its own script and style sheet only (no inline code), requests back to this service, and
    /// images from blob and data URLs (the heatmap is drawn from its own SVG onto a canvas to save it as PNG).
    /// </summary>
    public const string ExplorerPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public static IServiceCollection AddSecurityHeaders(this IServiceCollection services) =>
        services.Configure<KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);

    /// <summary>
    /// First in the pipeline: the headers are set when the response starts, so the exception handler, which clears
    /// the headers of a failed response, cannot remove them.
    /// </summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            http.Response.OnStarting(static state => Apply((HttpContext)state), http);
            return next(http);
        });
        return app;
    }

    private static Task Apply(HttpContext http)
    {
        var headers = http.Response.Headers;
        var path = http.Request.Path;
        var swagger = path.StartsWithSegments(SwaggerExtensions.PathPrefix, StringComparison.OrdinalIgnoreCase);
        var explorer = path.StartsWithSegments(ExplorerExtensions.PathPrefix, StringComparison.OrdinalIgnoreCase);
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers[HeaderNames.XFrameOptions] = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers[HeaderNames.ContentSecurityPolicy] = swagger ? SwaggerUiPolicy : explorer ? ExplorerPolicy : ApiPolicy;
        // Answers are computed per request; Swagger UI's files may be cached (they carry ETags), the explorer's say how.
        if (!swagger && !headers.ContainsKey(HeaderNames.CacheControl)) headers[HeaderNames.CacheControl] = "no-store";
        return Task.CompletedTask;
    }
}

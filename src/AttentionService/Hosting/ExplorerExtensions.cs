using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace AttentionService.Hosting;

/// <summary>
/// The attention explorer (<c>/explore</c>): one HTML page, its script and style sheet, embedded in the assembly
/// (src/AttentionService/Explorer). Every URL the page uses is relative to it, so it works offline and behind a
/// reverse proxy that serves the service under a path prefix; it calls only <c>GET models</c> and <c>POST attend</c>.
/// Where it answers is <c>Attention:Exposure:Explorer</c> (<see cref="ExposedFeatures"/>); its Content-Security-Policy
/// is <see cref="SecurityHeaders.ExplorerPolicy"/>.
/// </summary>
public static class ExplorerExtensions
{
    public const string PathPrefix = "/explore";

    private static readonly FrozenDictionary<string, ExplorerFile> Files = new[]
    {
        Load("explore.html", "text/html; charset=utf-8"),
        Load("explore.js", "text/javascript; charset=utf-8"),
        Load("explore.css", "text/css; charset=utf-8"),
    }.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    public static RouteGroupBuilder MapExplorer(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(PathPrefix).ExcludeFromDescription();
        group.MapGet("/", Page).WithName("Explorer");
        group.MapGet("/{file}", Asset).WithName("ExplorerFile");
        return group;
    }

    /// <summary>
    /// The page at <c>/explore</c>. At <c>/explore/</c> its relative URLs would resolve one folder too deep, so that
    /// is redirected by a relative Location, which keeps any path prefix a proxy added (and the query, which may name
    /// the model).
    /// </summary>
    public static Results<FileContentHttpResult, RedirectHttpResult> Page(HttpContext http) =>
        http.Request.Path.Value?.EndsWith('/') == true
            ? TypedResults.Redirect($"..{PathPrefix}{http.Request.QueryString}")
            : Serve(http, Files["explore.html"]);

    public static Results<FileContentHttpResult, NotFound> Asset(string file, HttpContext http) =>
        file != "explore.html" && Files.TryGetValue(file, out var found) ? Serve(http, found) : TypedResults.NotFound();

    /// <summary>Cached, but checked with the server each time (ETag), so a new version of the service shows at once.</summary>
    private static FileContentHttpResult Serve(HttpContext http, ExplorerFile file)
    {
        http.Response.Headers.CacheControl = "no-cache";
        return TypedResults.File(file.Content, file.ContentType, entityTag: file.ETag);
    }

    private static ExplorerFile Load(string name, string contentType)
    {
        var resource = $"Explorer/{name}";
        using var stream = typeof(ExplorerExtensions).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the assembly has no embedded resource '{resource}'");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var content = copy.ToArray();
        var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
        return new ExplorerFile(name, content, contentType, etag);
    }

    private sealed record ExplorerFile(string Name, byte[] Content, string ContentType, EntityTagHeaderValue ETag);
}

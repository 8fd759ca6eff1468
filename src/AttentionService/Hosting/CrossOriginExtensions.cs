using AttentionService.Configuration;
using Microsoft.Extensions.Options;

namespace AttentionService.Hosting;

/// <summary>
/// Applies <see cref="CrossOriginOptions"/> to the API: pages from an allowed origin may call it from a browser
/// (preflight answered 204 with the Access-Control headers); with no origins configured nothing is added.
/// </summary>
public static class CrossOriginExtensions
{
    private const string PolicyName = "api";

    /// <summary>The API's paths; Swagger UI, metrics and health are not meant for other sites' pages.</summary>
    private static readonly PathString[] ApiPaths = ["/attend", "/models"];

    public static IServiceCollection AddAttentionCors(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<AttentionOptions>, CrossOriginValidator>();
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<AttentionOptions>>((cors, attention) =>
            cors.AddPolicy(PolicyName, policy => policy
                .WithOrigins(attention.Value.Cors.AllowedOrigins)
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .WithHeaders(Microsoft.Net.Http.Headers.HeaderNames.ContentType)
                // A browser client backs off on 503 only if it may read when to retry.
                .WithExposedHeaders(Microsoft.Net.Http.Headers.HeaderNames.RetryAfter)
                // Without it a browser asks again after a few seconds.
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return services;
    }

    /// <summary>After routing, so a preflight for a POST-only route is answered here rather than as 405 by the endpoint.</summary>
    public static WebApplication UseAttentionCors(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AttentionOptions>>().Value.Cors.AllowedOrigins.Length == 0) return app;
        app.UseWhen(http => ApiPaths.Any(path => http.Request.Path.StartsWithSegments(path, StringComparison.OrdinalIgnoreCase)),
            api => api.UseCors(PolicyName));
        return app;
    }
}

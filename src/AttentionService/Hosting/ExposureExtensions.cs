using AttentionService.Configuration;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace AttentionService.Hosting;

/// <summary>
/// Applies <see cref="ExposureOptions"/>: Kestrel also listens on the management port, and a request for a feature
/// (<see cref="ExposedFeatures"/>) where it is not exposed is answered 404 like any unknown path.
/// </summary>
public static class ExposureExtensions
{
    public static IServiceCollection AddAttentionExposure(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<AttentionOptions>, ExposureValidator>();
        services.AddTransient<IStartupFilter, ManagementPortStartupFilter>();
        return services;
    }

    /// <summary>
    /// Decides by the port the connection arrived on, never by the Host header, which the client writes: a request on
    /// the public port that names the management port in <c>Host</c> is still a public request.
    /// </summary>
    public static WebApplication UseAttentionExposure(this WebApplication app)
    {
        var exposure = app.Services.GetRequiredService<IOptions<AttentionOptions>>().Value.Exposure;
        app.Use((http, next) =>
        {
            if (ExposedFeatures.For(http.Request.Path) is not { } feature) return next(http);
            if (exposure.Serves(feature, http)) return next(http);
            // No body: the status code pages write the same problem+json 404 as for any unknown path.
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        return app;
    }

    /// <summary>Whether <paramref name="feature"/> answers on the port <paramref name="http"/> arrived on.</summary>
    public static bool Serves(this ExposureOptions exposure, ExposedFeature feature, HttpContext http) => feature.Exposure(exposure) switch
    {
        FeatureExposure.Public => true,
        FeatureExposure.Management => exposure.ManagementPort != 0 && http.Connection.LocalPort == exposure.ManagementPort,
        _ => false,
    };

    /// <summary>"; see /swagger" where Swagger UI answers on the port the request arrived on, else nothing.</summary>
    public static string SwaggerHint(HttpContext http)
    {
        var exposure = http.RequestServices.GetRequiredService<IOptions<AttentionOptions>>().Value.Exposure;
        return ExposedFeatures.For(SwaggerExtensions.PathPrefix) is { } swagger && exposure.Serves(swagger, http) ? $"; see {SwaggerExtensions.PathPrefix}" : "";
    }

    /// <summary>
    /// Adds the management port to the addresses Kestrel binds. Startup filters run after the host has filled those
    /// addresses from <c>urls</c>/<c>http_ports</c> and before Kestrel binds them, so both are kept; calling Kestrel's
    /// <c>Listen</c> instead would make it ignore the configured URLs.
    /// </summary>
    private sealed class ManagementPortStartupFilter(IOptions<AttentionOptions> options, IConfiguration configuration, ILogger<ManagementPortStartupFilter> logger)
        : IStartupFilter
    {
        /// <summary>Endpoints configured here make Kestrel ignore every address, ours included.</summary>
        private const string KestrelEndpoints = "Kestrel:Endpoints";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var exposure = options.Value.Exposure;
            if (exposure.ManagementPort != 0 && configuration.GetSection(KestrelEndpoints).Exists())
            {
                logger.LogWarning("{Section} is configured, so Kestrel listens only on those endpoints: list port {Port} among them to serve the management port",
                    KestrelEndpoints, exposure.ManagementPort);
            }
            // The in-memory test server has no addresses to add to.
            else if (exposure.ManagementPort != 0 && app.ServerFeatures.Get<IServerAddressesFeature>() is { Addresses.IsReadOnly: false } server)
            {
                // Empty means Kestrel's default, which any added address would replace.
                if (server.Addresses.Count == 0) server.Addresses.Add(PublicAddresses.KestrelDefault);
                var management = PublicAddresses.ManagementAddresses(server.Addresses, exposure.ManagementPort);
                foreach (var address in management) server.Addresses.Add(address);
                var only = ExposedFeatures.All.Where(f => f.Exposure(exposure) == FeatureExposure.Management).Select(f => f.Path.Value);
                logger.LogInformation("Management port {Addresses} serves everything; only there: {Features}",
                    string.Join(';', management), string.Join(", ", only) is { Length: > 0 } list ? list : "nothing");
            }
            next(app);
        };
    }
}

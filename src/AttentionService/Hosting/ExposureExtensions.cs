using AttentionService.Configuration;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
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
        // The gRPC port speaks HTTP/2 without TLS, which needs HTTP/2 only on that endpoint (h2c with prior knowledge);
        // endpoint defaults reach the endpoints Kestrel makes from addresses, where Listen would replace the URLs.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<AttentionOptions>>((kestrel, attention) =>
        {
            var port = attention.Value.Exposure.GrpcPort;
            if (port != 0)
                kestrel.ConfigureEndpointDefaults(listen =>
                {
                    if (listen.EndPoint is System.Net.IPEndPoint { Port: var p } && p == port) listen.Protocols = HttpProtocols.Http2;
                });
        });
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
    /// Adds the management port and the gRPC port to the addresses Kestrel binds. Startup filters run after the host has filled those
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
            foreach (var (port, what) in new[] { (exposure.ManagementPort, "the management port"), (exposure.GrpcPort, "the gRPC port") })
            {
                if (port == 0) continue;
                if (configuration.GetSection(KestrelEndpoints).Exists())
                {
                    logger.LogWarning("{Section} is configured, so Kestrel listens only on those endpoints: list port {Port} among them to serve {What}",
                        KestrelEndpoints, port, what);
                    continue;
                }
                // The in-memory test server has no addresses to add to.
                if (app.ServerFeatures.Get<IServerAddressesFeature>() is not { Addresses.IsReadOnly: false } server) continue;
                // Empty means Kestrel's default, which any added address would replace.
                if (server.Addresses.Count == 0) server.Addresses.Add(PublicAddresses.KestrelDefault);
                var added = PublicAddresses.ManagementAddresses(server.Addresses.ToList(), port);
                foreach (var address in added) server.Addresses.Add(address);
                if (port == exposure.GrpcPort)
                {
                    logger.LogInformation("gRPC port {Addresses} serves inference.GRPCInferenceService over HTTP/2 (h2c)", string.Join(';', added));
                    continue;
                }
                var only = ExposedFeatures.All.Where(f => f.Exposure(exposure) == FeatureExposure.Management).Select(f => f.Path.Value);
                logger.LogInformation("Management port {Addresses} serves everything; only there: {Features}",
                    string.Join(';', added), string.Join(", ", only) is { Length: > 0 } list ? list : "nothing");
            }
            next(app);
        };
    }
}

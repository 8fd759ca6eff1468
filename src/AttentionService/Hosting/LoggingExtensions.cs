using AttentionService.Configuration;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace AttentionService.Hosting;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog to the console: readable text by default, compact JSON (one event per line) when
    /// <c>Attention:LogFormat</c> is <c>Json</c>, as in containers. Framework chatter is held to warnings so a request
    /// logs one line; the <c>Serilog</c> configuration section can override levels.
    /// </summary>
    public static WebApplicationBuilder AddAttentionLogging(this WebApplicationBuilder builder)
    {
        var format = builder.Configuration.GetValue($"{AttentionOptions.SectionName}:{nameof(AttentionOptions.LogFormat)}", LogFormat.Text);
        builder.Services.AddSerilog(logger =>
        {
            logger.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                .ReadFrom.Configuration(builder.Configuration)
                .Enrich.FromLogContext();
            if (format == LogFormat.Json)
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            else
                logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        });
        return builder;
    }

    /// <summary>One line per request: method, path, status, elapsed, plus the model and backend that answered.</summary>
    public static WebApplication UseAttentionRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.000} ms");
        return app;
    }
}

using AttentionService.Configuration;
using AttentionService.Contracts;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace AttentionService.Hosting;

public static class LoggingExtensions
{
    /// <summary>
    /// The request line: method, path, status, elapsed, then for /attend the model, backend and shapes that
    /// <see cref="InferenceSummaryEnricher"/> gathers into <c>Inference</c> (empty for other requests), then
    /// <c>Outcome</c>: <see cref="AbortedOutcome"/> when the connection closed before the response was complete (the
    /// status shown is then the one set, not one the client received whole), else empty.
    /// </summary>
    public const string RequestTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.000} ms{Inference:l}{Outcome:l}";

    public const string OutcomeProperty = "Outcome";

    public const string AbortedOutcome = "; aborted: the connection closed before the response was complete";

    /// <summary>The default console line; <see cref="EscapingTextFormatter"/> escapes the properties it shows.</summary>
    public const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>
    /// Serilog to the console: readable text by default, compact JSON (one event per line) when
    /// <c>Attention:LogFormat</c> is <c>Json</c>, as in containers. Levels come from the <c>Serilog</c> section
    /// (appsettings.json holds framework chatter to warnings, so a request logs one line); sinks and enrichers
    /// registered as services are added too (tests capture events that way). Each host logs through its own logger,
    /// never the static <c>Log.Logger</c>, which the last host started would own for every host in the process.
    /// </summary>
    public static IServiceCollection AddAttentionLogging(this IServiceCollection services) =>
        services.AddSerilog(preserveStaticLogger: true, configureLogger: (services, logger) =>
        {
            logger.ReadFrom.Configuration(services.GetRequiredService<IConfiguration>())
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                .Filter.ByExcluding(RejectedConnections.IsKestrelRejection);
            if (services.GetRequiredService<IOptions<AttentionOptions>>().Value.LogFormat == LogFormat.Json)
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            else
                logger.WriteTo.Console(new EscapingTextFormatter(TextTemplate));
        });

    /// <summary>One line per request; readiness answering 503 during a drain is expected, so it is not an error.</summary>
    public static WebApplication UseAttentionRequestLogging(this WebApplication app)
    {
        var drain = app.Services.GetRequiredService<ShutdownDrain>();
        app.UseSerilogRequestLogging(options =>
        {
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>().ForContext(new InferenceSummaryEnricher());
            options.MessageTemplate = RequestTemplate;
            options.GetLevel = (http, _, exception) => RequestLevel(http, exception, drain.IsDraining);
            options.EnrichDiagnosticContext = (log, http) =>
                log.Set(OutcomeProperty, AbortedResponse.Is(http) ? AbortedOutcome : "");
        });
        return app;
    }

    private const string ReadinessPath = "/health/ready";

    internal static LogEventLevel RequestLevel(HttpContext http, Exception? exception, bool draining)
    {
        if (exception is not null) return LogEventLevel.Error;
        var status = http.Response.StatusCode;
        if (status == StatusCodes.Status503ServiceUnavailable && draining && http.Request.Path.Equals(ReadinessPath, StringComparison.OrdinalIgnoreCase))
            return LogEventLevel.Information;
        // A 503 with Retry-After is the service shedding load or waiting for a model, as designed, not a failure: a
        // flood of them must not read as a flood of errors.
        if (status == StatusCodes.Status503ServiceUnavailable && http.Response.Headers.RetryAfter.Count > 0)
            return LogEventLevel.Warning;
        return status >= 500 ? LogEventLevel.Error : LogEventLevel.Information;
    }
}

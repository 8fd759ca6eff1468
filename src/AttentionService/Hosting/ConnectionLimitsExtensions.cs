using AttentionService.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace AttentionService.Hosting;

/// <summary>
/// Applies <see cref="ConnectionOptions"/> to Kestrel's limits. Without a bound, about as many idle connections as the
/// file-descriptor limit allows crashed the process in its accept loop; with one, Kestrel closes what is past it.
/// Minimum data rates end bodies sent, and answers read, too slowly (408 for a body; the connection closed for an answer).
/// </summary>
public static class ConnectionLimitsExtensions
{
    /// <summary>
    /// Descriptors kept beyond those already open when Kestrel starts (the runtime holds each loaded assembly open, a
    /// few hundred in all): for files opened later, logs, pipes and outgoing sockets.
    /// </summary>
    public const int ReservedFileDescriptors = 64;

    public static IServiceCollection AddConnectionLimits(this IServiceCollection services)
    {
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<AttentionOptions>, ILoggerFactory>((kestrel, attention, loggers) =>
        {
            var connections = attention.Value.Connections;
            kestrel.Limits.MaxConcurrentConnections = EffectiveMaxConnections(connections.MaxConcurrentConnections, FileDescriptorLimit.Current(), FileDescriptorLimit.OpenNow(),
                loggers.CreateLogger(typeof(ConnectionLimitsExtensions).FullName!));
            kestrel.Limits.MaxConcurrentUpgradedConnections = connections.MaxConcurrentUpgradedConnections;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(connections.KeepAliveTimeoutSeconds);
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(connections.RequestHeadersTimeoutSeconds);
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(connections.MinRequestBytesPerSecond, TimeSpan.FromSeconds(connections.MinRequestRateGraceSeconds));
            kestrel.Limits.MinResponseDataRate = new MinDataRate(connections.MinResponseBytesPerSecond, TimeSpan.FromSeconds(connections.MinResponseRateGraceSeconds));
        });
        return services;
    }

    /// <summary>The configured bound, lowered (and said so once) when the file-descriptor limit could not hold it.</summary>
    public static int EffectiveMaxConnections(int configured, long? fileDescriptorLimit, int openNow, ILogger logger)
    {
        if (fileDescriptorLimit is not { } limit) return configured;
        var available = limit - openNow - ReservedFileDescriptors;
        if (configured <= available) return configured;
        var lowered = (int)Math.Max(1, available);
        logger.LogWarning(
            "Attention:Connections:MaxConcurrentConnections is {Configured} but the process may open only {Limit} files (ulimit -n) " +
            "and has {Open} open; allowing {Lowered} connections, keeping {Reserved} for other files. Raise ulimit -n to allow more",
            configured, limit, openNow, lowered, ReservedFileDescriptors);
        return lowered;
    }
}

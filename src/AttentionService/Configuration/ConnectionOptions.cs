using AttentionService.Contracts;
namespace AttentionService.Configuration;

/// <summary>
/// Bounds on Kestrel's connections, so that no number of idle or slow clients can exhaust the process's file
/// descriptors: past <see cref="MaxConcurrentConnections"/> Kestrel closes new connections at once, and a connection
/// that sends nothing, or sends its headers too slowly, is closed after a timeout.
/// </summary>
public sealed class ConnectionOptions
{
    /// <summary>Open connections at once; lowered at start to what the file-descriptor limit (RLIMIT_NOFILE) allows.</summary>
    [SettingRange(1, 1_000_000)]
    public int MaxConcurrentConnections { get; set; } = 1000;

    /// <summary>Connections upgraded from HTTP (WebSockets) at once; they count against MaxConcurrentConnections too.</summary>
    [SettingRange(1, 1_000_000)]
    public int MaxConcurrentUpgradedConnections { get; set; } = 100;

    /// <summary>Seconds an idle connection (no request yet, or between requests) stays open.</summary>
    [SettingRange(1, 3600)]
    public int KeepAliveTimeoutSeconds { get; set; } = 120;

    /// <summary>Seconds a client has to send a request's headers once it has started them.</summary>
    [SettingRange(1, 3600)]
    public int RequestHeadersTimeoutSeconds { get; set; } = 30;
}

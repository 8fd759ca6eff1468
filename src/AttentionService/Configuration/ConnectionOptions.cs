using AttentionService.Contracts;
namespace AttentionService.Configuration;

/// <summary>
/// Bounds on Kestrel's connections, so that no number of idle or slow clients can exhaust the process's file
/// descriptors: past <see cref="MaxConcurrentConnections"/> Kestrel closes new connections at once, and a connection
/// that sends nothing, or sends its headers too slowly, is closed after a timeout; a body sent, or an answer read, more
/// slowly than a minimum data rate is ended too.
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

    /// <summary>
    /// Slowest a request body may arrive, in bytes a second averaged since the body started, once
    /// <see cref="MinRequestRateGraceSeconds"/> have passed; slower, the read fails and the client gets 408.
    /// </summary>
    [SettingRange(1, 1_000_000_000)]
    public int MinRequestBytesPerSecond { get; set; } = 240;

    /// <summary>Seconds a request body may arrive more slowly than <see cref="MinRequestBytesPerSecond"/> before it is timed out.</summary>
    [SettingRange(2, 3600)]
    public int MinRequestRateGraceSeconds { get; set; } = 5;

    /// <summary>
    /// Slowest a client may read an answer, in bytes a second, once <see cref="MinResponseRateGraceSeconds"/> have
    /// passed; slower, the connection is closed and the request counted as aborted. This, not
    /// <see cref="AttentionOptions.RequestTimeoutSeconds"/>, bounds writing an answer.
    /// </summary>
    [SettingRange(1, 1_000_000_000)]
    public int MinResponseBytesPerSecond { get; set; } = 4096;

    /// <summary>Seconds a client may read more slowly than <see cref="MinResponseBytesPerSecond"/> before its connection is closed.</summary>
    [SettingRange(2, 3600)]
    public int MinResponseRateGraceSeconds { get; set; } = 5;
}

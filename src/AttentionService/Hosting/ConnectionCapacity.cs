namespace AttentionService.Hosting;

/// <summary>
/// How many connections the process can hold, decided once at start from <c>Attention:Connections:MaxConcurrentConnections</c>
/// and the file-descriptor limit: <see cref="MaxConnections"/> is Kestrel's bound (connections past it are closed at
/// once); <see cref="MaxSockets"/> bounds the sockets accepted and not yet closed, which is what descriptors are spent
/// on. Kestrel accepts a socket before it can refuse it, so under a burst the sockets waiting to be refused used to pile
/// up past the descriptor limit, and the runtime then failed wherever it next needed a descriptor (exit 134, "Out of
/// memory"). Past <see cref="MaxSockets"/> the service stops accepting until a socket closes; further clients wait in
/// the kernel's listen backlog.
/// </summary>
public sealed record ConnectionCapacity(int MaxConnections, int MaxSockets)
{
    /// <summary>
    /// Descriptors kept beyond those already open when Kestrel starts (the runtime holds each loaded assembly open, a
    /// few hundred in all): for the assemblies the first requests load, thread start-up, files opened later, logs,
    /// pipes and outgoing sockets. docs/reliability.md gives the counts this was chosen from.
    /// </summary>
    public const int ReservedFileDescriptors = 192;

    /// <summary>Sockets accepted beyond <see cref="MaxConnections"/>, so that a client past the bound is refused rather than left waiting.</summary>
    public const int RefusalMargin = 32;

    /// <summary>The capacity for the configured bound, lowered (and said so once) when the file-descriptor limit could not hold it.</summary>
    public static ConnectionCapacity For(int configured, long? fileDescriptorLimit, int openNow, ILogger logger)
    {
        if (fileDescriptorLimit is not { } limit) return new(configured, configured + RefusalMargin);
        var available = (int)Math.Clamp(limit - openNow - ReservedFileDescriptors, 2, int.MaxValue);
        var sockets = (int)Math.Min(available, (long)configured + RefusalMargin);
        var connections = Math.Min(configured, Math.Max(1, sockets - RefusalMargin));
        if (connections < configured)
            logger.LogWarning(
                "Attention:Connections:MaxConcurrentConnections is {Configured} but the process may open only {Limit} files (ulimit -n) " +
                "and has {Open} open; allowing {Lowered} connections and {Sockets} sockets, keeping {Reserved} descriptors for other files. Raise ulimit -n to allow more",
                configured, limit, openNow, connections, sockets, ReservedFileDescriptors);
        return new(connections, sockets);
    }
}

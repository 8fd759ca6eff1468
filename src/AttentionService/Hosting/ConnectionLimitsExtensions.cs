using AttentionService.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace AttentionService.Hosting;

/// <summary>
/// Applies <see cref="ConnectionOptions"/> to Kestrel: its limits and timeouts, the <see cref="ConnectionCapacity"/>
/// that the file-descriptor limit allows, sockets bounded at accept (<see cref="BoundedConnectionListenerFactory"/>),
/// and refusals counted and summarised (<see cref="RejectedConnections"/>). Without a bound, about as many idle
/// connections as the file-descriptor limit allows crashed the process in its accept loop.
/// Minimum data rates end bodies sent, and answers read, too slowly (408 for a body; the connection closed for an answer).
/// </summary>
public static class ConnectionLimitsExtensions
{
    public static IServiceCollection AddConnectionLimits(this IServiceCollection services)
    {
        services.AddSingleton(sp => ConnectionCapacity.For(
            sp.GetRequiredService<IOptions<AttentionOptions>>().Value.Connections.MaxConcurrentConnections,
            FileDescriptorLimit.Current(), FileDescriptorLimit.OpenNow(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConnectionCapacity).FullName!)));
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<AttentionOptions>, ConnectionCapacity>((kestrel, attention, capacity) =>
        {
            var connections = attention.Value.Connections;
            kestrel.Limits.MaxConcurrentConnections = capacity.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = connections.MaxConcurrentUpgradedConnections;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(connections.KeepAliveTimeoutSeconds);
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(connections.RequestHeadersTimeoutSeconds);
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(connections.MinRequestBytesPerSecond, TimeSpan.FromSeconds(connections.MinRequestRateGraceSeconds));
            kestrel.Limits.MinResponseDataRate = new MinDataRate(connections.MinResponseBytesPerSecond, TimeSpan.FromSeconds(connections.MinResponseRateGraceSeconds));
        });
        BoundSocketTransport(services);
        services.AddSingleton<RejectedConnections>();
        services.AddHostedService(sp => sp.GetRequiredService<RejectedConnections>());
        return services;
    }

    /// <summary>Wraps the socket transport Kestrel registered (WebApplication.CreateBuilder has, by now) in the accept bound.</summary>
    private static void BoundSocketTransport(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType != typeof(IConnectionListenerFactory) || services[i].ImplementationType != typeof(SocketTransportFactory)) continue;
            services[i] = ServiceDescriptor.Singleton<IConnectionListenerFactory>(sp => new BoundedConnectionListenerFactory(
                ActivatorUtilities.CreateInstance<SocketTransportFactory>(sp), sp.GetRequiredService<ConnectionCapacity>()));
        }
    }
}

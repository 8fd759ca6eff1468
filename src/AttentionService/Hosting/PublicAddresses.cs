using Microsoft.AspNetCore.Http;

namespace AttentionService.Hosting;

/// <summary>
/// The addresses the service listens on for clients, resolved from configuration as ASP.NET Core's host does it:
/// <c>urls</c> (<c>--urls</c>, <c>ASPNETCORE_URLS</c>), else <c>http_ports</c>/<c>https_ports</c>
/// (<c>ASPNETCORE_HTTP_PORTS</c>, set by the official images), else Kestrel's default.
/// </summary>
public static class PublicAddresses
{
    /// <summary>Where Kestrel listens when nothing is configured.</summary>
    public const string KestrelDefault = "http://localhost:5000";

    public static IReadOnlyList<string> FromConfiguration(IConfiguration configuration)
    {
        var urls = configuration[WebHostDefaults.ServerUrlsKey];
        if (!string.IsNullOrWhiteSpace(urls)) return Split(urls);
        var addresses = Split(configuration[WebHostDefaults.HttpPortsKey]).Select(port => $"http://*:{port}")
            .Concat(Split(configuration[WebHostDefaults.HttpsPortsKey]).Select(port => $"https://*:{port}"))
            .ToList();
        return addresses.Count > 0 ? addresses : [KestrelDefault];
    }

    /// <summary>The TCP ports of <paramref name="addresses"/> (unix sockets have none).</summary>
    public static IEnumerable<int> Ports(IEnumerable<string> addresses) =>
        addresses.Select(BindingAddress.Parse).Where(a => !a.IsUnixPipe).Select(a => a.Port);

    /// <summary>
    /// The management port on each host the public addresses listen on, in plain HTTP: a service bound to loopback keeps
    /// its management port on loopback too, one bound to every interface (a container's <c>http://+:8080</c>) does not.
    /// </summary>
    public static IReadOnlyList<string> ManagementAddresses(IEnumerable<string> publicAddresses, int port)
    {
        var hosts = publicAddresses.Select(BindingAddress.Parse).Where(a => !a.IsUnixPipe).Select(a => a.Host)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (hosts.Count == 0) hosts.Add("localhost");
        return hosts.Select(host => $"http://{host}:{port}").ToList();
    }

    private static string[] Split(string? list) =>
        (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

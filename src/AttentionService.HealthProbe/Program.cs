// Readiness probe run inside the container: exit 0 only when GET http://127.0.0.1:{port}{path} answers 200.
//   dotnet AttentionService.HealthProbe.dll [port] [path]      defaults: $HEALTHCHECK_PORT or 8080, /health/ready

const string PortVariable = "HEALTHCHECK_PORT";
const int DefaultPort = 8080;
const string DefaultPath = "/health/ready";
// Under the HEALTHCHECK's own --timeout, so a hung service is reported by this probe with a reason, not killed silently.
var timeout = TimeSpan.FromSeconds(4);

var portText = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable(PortVariable);
var port = DefaultPort;
if (!string.IsNullOrEmpty(portText) && (!int.TryParse(portText, out port) || port is < 1 or > 65535))
{
    Console.Error.WriteLine($"health probe: port '{portText}' is not a TCP port (1 to 65535)");
    return 2;
}
var path = args.Length > 1 ? args[1] : DefaultPath;
var url = new Uri($"http://127.0.0.1:{port}{path}");

using var client = new HttpClient { Timeout = timeout };
try
{
    using var response = await client.GetAsync(url);
    if (response.StatusCode == System.Net.HttpStatusCode.OK)
        return 0;
    Console.Error.WriteLine($"health probe: GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
    return 1;
}
catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
{
    Console.Error.WriteLine($"health probe: GET {url} failed: {e.Message}");
    return 1;
}

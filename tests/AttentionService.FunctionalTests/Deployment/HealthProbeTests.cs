using System.Net;
using System.Net.Sockets;
using System.Text;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>The image's HEALTHCHECK, <c>dotnet AttentionService.HealthProbe.dll [port]</c>, against a real socket on loopback.</summary>
public sealed class HealthProbeTests
{
    private static readonly string Probe = Path.Combine(AppContext.BaseDirectory, "AttentionService.HealthProbe.dll");

    private static ExternalCommand.Result RunProbe(params string[] arguments) =>
        ExternalCommand.Run("dotnet", [Probe, .. arguments], TimeSpan.FromSeconds(30));

    [Theory]
    [InlineData("200 OK", 0)]
    [InlineData("503 Service Unavailable", 1)]
    [InlineData("404 Not Found", 1)]
    public async Task HealthcheckSucceedsOnlyWhenReadinessAnswers200(string status, int expectedExitCode)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var requestLine = AnswerOnce(listener, $"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        var result = RunProbe(port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal("GET /health/ready HTTP/1.1", await requestLine);
        Assert.True(result.ExitCode == expectedExitCode, $"status {status}: {result.Transcript}");
    }

    [Fact]
    public void HealthcheckFailsWhenNothingListens()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = RunProbe(port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(result.ExitCode != 0, result.Transcript);
        Assert.Contains($"GET http://127.0.0.1:{port}/health/ready failed", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("0")]
    [InlineData("70000")]
    public void APortThatIsNoTcpPortIsRefusedSayingSo(string port)
    {
        var result = RunProbe(port);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"port '{port}' is not a TCP port", result.StandardError, StringComparison.Ordinal);
    }

    private static async Task<string> AnswerOnce(TcpListener listener, string response)
    {
        using var client = await listener.AcceptTcpClientAsync();
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        var requestLine = await reader.ReadLineAsync() ?? "";
        while (!string.IsNullOrEmpty(await reader.ReadLineAsync()))
        {
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
        return requestLine;
    }
}

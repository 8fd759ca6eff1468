using System.Net;
using System.Net.Sockets;
using System.Text;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Deployment;

/// <summary>scripts/container-healthcheck.sh, the image's HEALTHCHECK, against a real socket on loopback.</summary>
public sealed class ContainerHealthcheckTests
{
    private static readonly string Script = Path.Combine(RepoPaths.Root, "scripts", "container-healthcheck.sh");

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

        var result = ExternalCommand.Run("bash", [Script, port.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(30));

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

        var result = ExternalCommand.Run("bash", [Script, port.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode != 0, result.Transcript);
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

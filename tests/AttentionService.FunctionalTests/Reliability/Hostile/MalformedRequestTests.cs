using System.Text;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// Requests no HTTP client library would send, written byte for byte on a raw socket to the service run as its own
/// process: each gets the 4xx it earned from Kestrel or the service (never a 5xx), the service logs no error, and it
/// goes on serving.
/// </summary>
public sealed class MalformedRequestTests(SharedServiceProcess shared) : IClassFixture<SharedServiceProcess>
{
    private const string Body = """{"query": [[1, 0]], "values": [[1, 0], [0, 1]]}""";

    public static TheoryData<string, string, string> Requests => new()
    {
        { "a 40 KB header", $"GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: {new string('a', 40_000)}\r\n\r\n", "431" },
        { "200 headers", $"GET /health/live HTTP/1.1\r\nHost: x\r\n{string.Concat(Enumerable.Range(0, 200).Select(i => $"X-{i}: 1\r\n"))}\r\n", "431" },
        { "a 10 KB path", $"GET /{new string('a', 10_000)} HTTP/1.1\r\nHost: x\r\n\r\n", "414" },
        { "a 12 KB query string", $"GET /models?{string.Concat(Enumerable.Repeat("a=1&", 3_000))} HTTP/1.1\r\nHost: x\r\n\r\n", "414" },
        { "TLS on the plain port", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003garbage\r\n\r\n", "400" },
        { "a NUL in a header", "GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", "400" },
        { "no Host", "GET /health/live HTTP/1.1\r\n\r\n", "400" },
        { "two Hosts", "GET /health/live HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400" },
        { "an absolute URI for another host", "GET http://elsewhere/health/live HTTP/1.1\r\nHost: x\r\n\r\n", "400" },
        { "a folded header", "GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", "400" },
        { "a space before the colon", "GET /health/live HTTP/1.1\r\nHost : x\r\n\r\n", "400" },
        { "a negative Content-Length", "POST /attend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n", "400" },
        { "a 20-digit Content-Length", "POST /attend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n", "400" },
        { "two Content-Lengths", $"POST /attend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n12345", "400" },
        { "a Transfer-Encoding other than chunked", "POST /attend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", "400" },
        { "a 50 KB chunk extension", $"POST /attend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5;{new string('x', 50_000)}\r\nabcde\r\n0\r\n\r\n", "400" },
        { "a gzip-encoded body", $"POST /attend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {Body.Length}\r\n\r\n{Body}", "415" },
        { "nesting 1,000 deep", $"POST /attend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n{new string('[', 1000)}{new string(']', 1000)}", "400" },
        { "a path escaping the models", "GET /models/%2e%2e%2f%2e%2e%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\n\r\n", "404" },
        { "an overlong UTF-8 path", "GET /models/%c0%ae%c0%ae HTTP/1.1\r\nHost: x\r\n\r\n", "404" },
        { "raw non-UTF-8 bytes in the path", "GET /models/\u00ff\u00fe HTTP/1.1\r\nHost: x\r\n\r\n", "400" },
        { "a WebSocket upgrade of /attend", "GET /attend HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", "405" },
        { "CONNECT", "CONNECT elsewhere:443 HTTP/1.1\r\nHost: elsewhere:443\r\n\r\n", "404" },
        { "TRACE", "TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", "404" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task IsRefusedWithA4xx(string attack, string request, string status)
    {
        var service = shared.Service;
        var statusLine = await SendAsync(service.Client.BaseAddress!.Port, request);

        Assert.True(statusLine.StartsWith($"HTTP/1.1 {status} ", StringComparison.Ordinal), $"{attack}: got '{statusLine}'");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await service.Client.GetAsync("/health/ready")).StatusCode);
        Assert.DoesNotContain("ERR]", service.Output);
        Assert.DoesNotContain("responded 5", service.Output);
    }

    /// <summary>Writes <paramref name="request"/> (each char one byte) and returns the first line of the answer, "" if the connection closes without one.</summary>
    private static async Task<string> SendAsync(int port, string request)
    {
        using var connection = await RawConnection.OpenAsync(port);
        await connection.SendAsync(Encoding.Latin1.GetBytes(request));
        var head = await connection.ReadHeadAsync(TimeSpan.FromSeconds(30));
        var end = head.IndexOf("\r\n", StringComparison.Ordinal);
        return end < 0 ? head : head[..end];
    }
}

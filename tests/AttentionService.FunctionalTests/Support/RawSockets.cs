using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AttentionService.Tests.Support;

/// <summary>Raw TCP connections to a service on loopback, for what an HTTP client library would not send or wait for.</summary>
public static class RawSockets
{
    public static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    /// <summary>Reads until the server closes the connection (a read of 0, or a reset), returning what it sent first.</summary>
    public static async Task<string> ClosedByServerAsync(Socket socket, CancellationToken cancel)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel)) > 0)
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        return received.ToString();
    }

    /// <summary>
    /// The status of the first request the service answers: closing sockets on the client does not free their slots
    /// until the server has seen each close, so a request sent at once may still be refused.
    /// </summary>
    public static async Task<HttpStatusCode> FirstAnswerAsync(HttpClient client, string path, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return (await client.GetAsync(path)).StatusCode;
            }
            catch (HttpRequestException) when (deadline.Elapsed < timeout)
            {
                await Task.Delay(100);
            }
        }
    }
}

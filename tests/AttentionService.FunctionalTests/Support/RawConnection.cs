using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AttentionService.Tests.Support;

/// <summary>
/// One HTTP/1.1 connection as a hostile client drives it: bytes written as given (no client library to fix up the
/// framing), read back as text, closed half-way, gracefully or with a reset.
/// </summary>
public sealed class RawConnection : IDisposable
{
    private readonly Socket _socket;

    private RawConnection(Socket socket) => _socket = socket;

    /// <summary>
    /// Connects to loopback <paramref name="port"/>. A small <paramref name="receiveBufferBytes"/> keeps the kernel from
    /// absorbing a large answer the client does not read, so the server meets back-pressure.
    /// </summary>
    public static async Task<RawConnection> OpenAsync(int port, int? receiveBufferBytes = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferBytes is { } bytes) socket.ReceiveBufferSize = bytes;
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return new RawConnection(socket);
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.ASCII.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        var sent = 0;
        while (sent < bytes.Length) sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
    }

    /// <summary>Headers of a request with a body, ending in the blank line; <paramref name="framing"/> is sent as is.</summary>
    public static string Head(string framing, string path = "/attend") =>
        $"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{framing}\r\n";

    /// <summary>Half-closes: the client has nothing more to send but still reads.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Hangs up with a reset (RST), as a client that is killed or times out does.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    /// <summary>Hangs up gracefully (FIN), without reading what is still on its way.</summary>
    public void Close() => _socket.Close();

    /// <summary>
    /// Reads until the response head ("\r\n\r\n") has arrived, returning it (and whatever came with it); what arrived
    /// before a close or a reset when the server hangs up first.
    /// </summary>
    public async Task<string> ReadHeadAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new StringBuilder();
        var buffer = new byte[1024];
        try
        {
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
                if (read == 0) break;
                received.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        return received.ToString();
    }

    /// <summary>
    /// Reads until the server closes the connection (a read of 0, or a reset), returning everything received; fails if
    /// it stays open past <paramref name="timeout"/>.
    /// </summary>
    public async Task<Received> ReadToCloseAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var reset = false;
        try
        {
            int read;
            while ((read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0) received.Write(buffer, 0, read);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            reset = true;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the server kept the connection open for {timeout.TotalSeconds} s; received so far: {Preview(received)}");
        }
        return new Received(received.ToArray(), reset);
    }

    private static string Preview(MemoryStream received) => Encoding.Latin1.GetString(received.GetBuffer(), 0, (int)Math.Min(received.Length, 300));

    public void Dispose() => _socket.Dispose();

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

/// <summary>What a client read before the server closed the connection.</summary>
public sealed record Received(byte[] Bytes, bool Reset)
{
    public string Text => Encoding.Latin1.GetString(Bytes);

    /// <summary>The status line, or "" when the server closed without answering.</summary>
    public string StatusLine => Text.IndexOf("\r\n", StringComparison.Ordinal) is var end and > 0 ? Text[..end] : "";

    /// <summary>The body after the head, as sent (chunked framing included).</summary>
    public string Body => Text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0 ? Text[(end + 4)..] : "";

    public override string ToString() => Text.Length > 600 ? Text[..600] + "…" : Text;
}

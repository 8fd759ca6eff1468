using System.Text;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Reliability.Hostile;

/// <summary>
/// A small /attend request with a large answer: <see cref="Rows"/> query rows against one key, whose value has
/// <see cref="Width"/> features, give a context of Rows × Width numbers (about 20 MB of JSON), far more than the
/// socket buffers hold, so a client that stops reading holds the service's writes back.
/// </summary>
public static class LargeAnswer
{
    public const int Rows = 4096;

    public const int Width = 512;

    public static string Body()
    {
        var json = new StringBuilder("""{"query": [""");
        for (var i = 0; i < Rows; i++) json.Append(i == 0 ? "[1]" : ",[1]");
        json.Append("""], "keys": [[1]], "values": [[""");
        for (var j = 0; j < Width; j++) json.Append(j == 0 ? "" : ",").Append("0.123456");
        json.Append("]]}");
        return json.ToString();
    }

    public static string Request() => RawConnection.Head($"Content-Length: {Encoding.ASCII.GetByteCount(Body())}\r\n") + Body();
}

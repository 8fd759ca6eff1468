using System.Buffers;
using System.Globalization;
using System.Text;
using AttentionService.Tests.Support;

namespace AttentionService.Benchmarks.Json;

/// <summary>
/// /attend bodies as scripts/bench-http.sh sends them (numbers uniform in [-1, 1] with 7 decimals, keys left out), and
/// the same bytes as Kestrel hands them to the parser: a sequence of 4 KB segments.
/// </summary>
public static class JsonPayloads
{
    public static byte[] Create(int tq, int tv, int d)
    {
        var random = new Random(7);
        var json = new StringBuilder("{\"model\":\"luong-dot\",\"query\":");
        Matrix(json, random, tq, d);
        json.Append(",\"values\":");
        Matrix(json, random, tv, d);
        return Encoding.UTF8.GetBytes(json.Append('}').ToString());
    }

    public static ReadOnlySequence<byte> InSegments(byte[] body, int segmentSize = 4096) => ByteSegments.Split(body, segmentSize);

    private static void Matrix(StringBuilder json, Random random, int rows, int columns)
    {
        json.Append('[');
        for (var r = 0; r < rows; r++)
        {
            json.Append(r == 0 ? "[" : ",[");
            for (var c = 0; c < columns; c++)
            {
                if (c > 0) json.Append(',');
                json.Append(Math.Round(random.NextDouble() * 2 - 1, 7).ToString(CultureInfo.InvariantCulture));
            }
            json.Append(']');
        }
        json.Append(']');
    }
}

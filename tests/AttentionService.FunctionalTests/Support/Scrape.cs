using System.Globalization;

namespace AttentionService.Tests.Support;

/// <summary>Reads one sample from a host's <c>/metrics</c> (Prometheus text format).</summary>
public static class Scrape
{
    /// <summary>
    /// The value of the sample whose name and labels are exactly <paramref name="series"/> (e.g.
    /// <c>http_requests_received_total{code="400",method="POST",endpoint="/attend"}</c>, or a bare name for an unlabelled
    /// series), or 0 when the series does not exist yet.
    /// </summary>
    public static async Task<double> ValueAsync(HttpClient client, string series) => Value(await client.GetStringAsync("/metrics"), series);

    public static double Value(string metrics, string series)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (!line.StartsWith(series, StringComparison.Ordinal) || line.Length <= series.Length || line[series.Length] != ' ') continue;
            return double.Parse(line.AsSpan(series.Length + 1), CultureInfo.InvariantCulture);
        }
        return 0;
    }
}

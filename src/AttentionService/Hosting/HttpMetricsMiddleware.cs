using System.Diagnostics;
using AttentionService.Contracts;
using AttentionService.Http;
using AttentionService.Inference;
using Prometheus;

namespace AttentionService.Hosting;

/// <summary>
/// Requests by the status the client got, latency and in-flight, per method and endpoint (<c>http_*</c>, the names
/// prometheus-net's HTTP metrics use). prometheus-net records <c>Response.StatusCode</c> when the pipeline returns,
/// which is 200 for an answer cut short and for a request whose exception becomes a 500 further out; here <c>code</c>
/// is <see cref="Aborted"/> when the response could not be completed (the client hung up, or the service aborted the
/// connection), 500 for an exception that escapes before the response started, else the status sent. Labels come from
/// closed sets: <c>method</c> is one of <see cref="MetricMethods"/> or "other"; <c>endpoint</c> is the matched route
/// template or <see cref="Unmatched"/> (never the raw path). On endpoints that run a model (<see cref="ModelTraffic"/>)
/// it also records the request's and the answer's bytes and its error status per model. Runs after routing, so the
/// endpoint is known.
/// </summary>
public sealed class HttpMetricsMiddleware(RequestDelegate next, IMetricFactory factory, AttentionMetrics attention)
{
    /// <summary>The <c>endpoint</c> of a request no route matched (a 404, a 405); route templates start with '/'.</summary>
    public const string Unmatched = "unmatched";

    /// <summary>The <c>code</c> of a request whose response could not be completed.</summary>
    public const string Aborted = "aborted";

    /// <summary>The HTTP methods that get their own <c>method</c> label value.</summary>
    public static readonly string[] MetricMethods = ["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"];

    public const string OtherMethod = "other";

    private readonly Counter _received = factory.CreateCounter("http_requests_received_total",
        "Requests answered, by the status the client got (\"aborted\" when the response could not be completed).",
        ["code", "method", "endpoint"]);

    private readonly Histogram _duration = factory.CreateHistogram("http_request_duration_seconds",
        "Duration of requests, by the status the client got (\"aborted\" when the response could not be completed).",
        ["code", "method", "endpoint"], new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });

    private readonly Gauge _inProgress = factory.CreateGauge("http_requests_in_progress",
        "Requests being processed.", ["method", "endpoint"]);

    public async Task InvokeAsync(HttpContext http)
    {
        var method = MethodLabel(http.Request.Method);
        var route = http.GetEndpoint() as RouteEndpoint;
        var endpoint = route?.RoutePattern.RawText ?? Unmatched;
        var (traffic, body) = route?.Metadata.GetMetadata<ModelTraffic.Endpoint>() is null ? (null, null) : StartTraffic(http);
        var inProgress = _inProgress.WithLabels(method, endpoint);
        var started = Stopwatch.GetTimestamp();
        inProgress.Inc();
        var escaped = false;
        try
        {
            await next(http);
        }
        catch
        {
            escaped = true;
            throw;
        }
        finally
        {
            inProgress.Dec();
            var code = Code(http, escaped);
            _received.WithLabels(code, method, endpoint).Inc();
            _duration.WithLabels(code, method, endpoint).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (traffic is not null)
            {
                body!.Dispose();
                attention.Traffic(traffic.Model, endpoint, code, http.Request.ContentLength ?? traffic.ReadBytes, body.Written);
            }
        }
    }

    private static (ModelTraffic, CountingResponseBody) StartTraffic(HttpContext http)
    {
        var traffic = new ModelTraffic();
        http.Features.Set(traffic);
        return (traffic, CountingResponseBody.Install(http));
    }

    /// <summary>What the client got: nothing whole once the connection is aborted; a 500 for an exception caught further out.</summary>
    public static string Code(HttpContext http, bool exceptionEscaped)
    {
        if (AbortedResponse.Is(http)) return Aborted;
        if (exceptionEscaped) return http.Response.HasStarted ? Aborted : "500";
        return StatusLabel(http.Response.StatusCode);
    }

    private static string MethodLabel(string method)
    {
        foreach (var known in MetricMethods)
            if (ReferenceEquals(known, method) || string.Equals(known, method, StringComparison.Ordinal)) return known;
        return OtherMethod;
    }

    // The common statuses without a string allocated per request.
    private static readonly string[] Statuses = Enumerable.Range(0, 600).Select(s => s.ToString()).ToArray();

    private static string StatusLabel(int status) => (uint)status < Statuses.Length ? Statuses[status] : status.ToString();
}

namespace AttentionService.Http;

/// <summary>
/// What one request to an endpoint that runs a model (<c>/attend</c>, <c>/v2/…/infer</c>) sent and got, for the
/// per-model size and error series (<see cref="Inference.AttentionMetrics"/>): the model the handler resolved, the body
/// bytes read, and the answer bytes written. Set by the HTTP metrics middleware (Hosting) on endpoints that carry
/// <see cref="Endpoint"/>; it lives beside the handlers that fill it, so that Http does not depend on Hosting.
/// </summary>
public sealed class ModelTraffic
{
    /// <summary>The <c>model</c> label of a request whose model is not known: not registered, or the body did not parse
    /// far enough to name one. Not a valid model name (<see cref="Configuration.ModelName"/>), so it cannot collide.</summary>
    public const string UnknownModel = "(unknown)";

    /// <summary>Endpoint metadata: requests to this endpoint are counted per model.</summary>
    public sealed class Endpoint
    {
        public static readonly Endpoint Instance = new();

        private Endpoint() { }
    }

    /// <summary>The model the handler resolved: a registered name, never the raw one a client sent.</summary>
    public string Model { get; private set; } = UnknownModel;

    /// <summary>Body bytes read, for a body sent without Content-Length (chunked).</summary>
    public long ReadBytes { get; private set; }

    /// <summary>Labels the request with <paramref name="model"/>, a registered model's name.</summary>
    public static void SetModel(HttpContext http, string model)
    {
        if (http.Features.Get<ModelTraffic>() is { } traffic) traffic.Model = model;
    }

    /// <summary>Records the body bytes the binder read.</summary>
    public static void SetReadBytes(HttpContext http, long bytes)
    {
        if (http.Features.Get<ModelTraffic>() is { } traffic) traffic.ReadBytes = bytes;
    }
}

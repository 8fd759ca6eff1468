namespace AttentionService.Configuration;

/// <summary>
/// Which web pages may call the API (<c>/attend</c>, <c>/models</c>) from a browser. None by default: no CORS headers
/// are sent and a browser's preflight is answered like any other OPTIONS request.
/// </summary>
public sealed class CrossOriginOptions
{
    /// <summary>Origins such as <c>https://app.example.com</c> (scheme, host, optional port), or <c>*</c> alone for any.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}

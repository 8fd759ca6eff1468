using Microsoft.AspNetCore.Http;

namespace AttentionService.Contracts;

/// <summary>
/// A response that could not be completed: the client hung up, or the service ended the connection because the
/// answer could not be finished. The request log and the metrics ask <see cref="Is"/> rather than only
/// <see cref="HttpContext.RequestAborted"/>, which Kestrel cancels on the thread pool a moment after the abort.
/// </summary>
public static class AbortedResponse
{
    private static readonly object Key = new();

    /// <summary>Ends the connection (nothing more is read or written; a chunked answer is left without its end) and marks the request aborted.</summary>
    public static void Abort(HttpContext http)
    {
        http.Items[Key] = true;
        http.Abort();
    }

    public static bool Is(HttpContext http) => http.RequestAborted.IsCancellationRequested || http.Items.ContainsKey(Key);
}

using Microsoft.AspNetCore.Http;

namespace AttentionService.Contracts;

/// <summary>
/// Sends a 200 answer that a writer streams into the response, then completes it. An answer that cannot be finished
/// (the client hung up or read too slowly for Kestrel's minimum response data rate) ends with the connection aborted,
/// never with a well-formed end of a chunked 200 that would pass a cut answer off as whole; the request then counts as
/// aborted (<see cref="AbortedResponse"/>).
/// </summary>
public static class StreamedAnswer
{
    /// <param name="httpContext">The request whose response carries the answer.</param>
    /// <param name="write">Writes the whole answer; false when the connection went away before it was handed over.</param>
    public static async Task SendAsync(HttpContext httpContext, Func<HttpResponse, CancellationToken, Task<bool>> write)
    {
        var answer = httpContext.Response;
        answer.StatusCode = StatusCodes.Status200OK;
        bool complete;
        try
        {
            complete = await write(answer, httpContext.RequestAborted);
            if (complete)
            {
                // Sent within the request, not after it, so that a failure here is seen by the log and the metrics.
                var flushed = await answer.BodyWriter.FlushAsync(httpContext.RequestAborted);
                complete = !flushed.IsCanceled && !flushed.IsCompleted;
                if (complete) await answer.CompleteAsync();
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            complete = false;
        }
        if (!complete || httpContext.RequestAborted.IsCancellationRequested) AbortedResponse.Abort(httpContext);
    }
}

using AttentionService.Contracts.Json;
using Microsoft.AspNetCore.Http;

namespace AttentionService.Contracts;

/// <summary>
/// The 200 answer of <c>POST /attend</c> with text, streamed by <see cref="TextResponseWriter"/>; a cut answer ends
/// with the connection aborted, as <see cref="AttendResult"/>'s does.
/// </summary>
public sealed class TextResult(TextResponse response) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<TextResponse>
{
    public TextResponse Value => response;

    object IValueHttpResult.Value => response;

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var answer = httpContext.Response;
        answer.StatusCode = StatusCode;
        answer.ContentType = "application/json; charset=utf-8";
        bool complete;
        try
        {
            complete = await TextResponseWriter.WriteAsync(answer.BodyWriter, response, httpContext.RequestAborted);
            if (complete)
            {
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

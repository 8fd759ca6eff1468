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

    public Task ExecuteAsync(HttpContext httpContext) =>
        StreamedAnswer.SendAsync(httpContext, (answer, cancellationToken) =>
        {
            answer.ContentType = "application/json; charset=utf-8";
            return TextResponseWriter.WriteAsync(answer.BodyWriter, response, cancellationToken);
        });
}

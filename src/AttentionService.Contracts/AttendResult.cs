using System.Reflection;
using AttentionService.Contracts.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace AttentionService.Contracts;

/// <summary>
/// The 200 answer of <c>POST /attend</c>, streamed by <see cref="AttendResponseWriter"/> rather than serialized whole;
/// described to OpenAPI as an <see cref="AttendResponse"/>.
/// </summary>
public sealed class AttendResult(AttendResponse response) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<AttendResponse>, IEndpointMetadataProvider
{
    public AttendResponse Value => response;

    object IValueHttpResult.Value => response;

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    /// <summary>
    /// Streams the answer and completes the response. An answer that cannot be finished (the client hung up or read too
    /// slowly for Kestrel's minimum response data rate) ends with the connection aborted, never with a well-formed end
    /// of a chunked 200 that would pass a cut answer off as whole; the request then counts as aborted.
    /// </summary>
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var answer = httpContext.Response;
        answer.StatusCode = StatusCode;
        answer.ContentType = "application/json; charset=utf-8";
        bool complete;
        try
        {
            complete = await AttendResponseWriter.WriteAsync(answer.BodyWriter, response, httpContext.RequestAborted);
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

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(AttendResponse), ["application/json"]));
}

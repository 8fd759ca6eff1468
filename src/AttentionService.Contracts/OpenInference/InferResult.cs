using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace AttentionService.Contracts.OpenInference;

/// <summary>The 200 answer of an Open Inference Protocol infer request, written by <see cref="InferResponseWriter"/>.</summary>
public sealed class InferResult(InferResponse response) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public InferResponse Value => response;

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    /// <summary>An answer that cannot be finished ends with the connection aborted, as /attend's does.</summary>
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var answer = httpContext.Response;
        answer.StatusCode = StatusCode;
        bool complete;
        try
        {
            complete = await InferResponseWriter.WriteAsync(answer, response, httpContext.RequestAborted);
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

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(InferResponse), ["application/json", "application/octet-stream"]));
}

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
    public Task ExecuteAsync(HttpContext httpContext) =>
        StreamedAnswer.SendAsync(httpContext, (answer, cancellationToken) => InferResponseWriter.WriteAsync(answer, response, cancellationToken));

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(InferResponse), ["application/json", "application/octet-stream"]));
}

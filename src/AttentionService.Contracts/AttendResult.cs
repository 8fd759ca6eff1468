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

    /// <summary>Streams the answer and completes the response (<see cref="StreamedAnswer"/>).</summary>
    public Task ExecuteAsync(HttpContext httpContext) =>
        StreamedAnswer.SendAsync(httpContext, (answer, cancellationToken) =>
        {
            answer.ContentType = "application/json; charset=utf-8";
            return AttendResponseWriter.WriteAsync(answer.BodyWriter, response, cancellationToken);
        });

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(AttendResponse), ["application/json"]));
}

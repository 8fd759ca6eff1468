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

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        return AttendResponseWriter.WriteAsync(httpContext.Response.BodyWriter, response, httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(AttendResponse), ["application/json"]));
}

using System.IO.Pipelines;
using AttentionService.Configuration;
using AttentionService.Http;
using AttentionService.Http.Contracts;
using AttentionService.Http.Json;
using AttentionService.Inference;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AttentionService.HttpBaseline;

/// <summary>
/// <c>POST /attend</c> without attention: the body is read as the host reads it (AttendApi.ReadRequestAsync, same
/// limits, one sequence without copying) and parsed by the host's AttendRequestReader; the answer is an
/// <see cref="AttendResponse"/> streamed by the host's AttendResult. Errors answer 400 with the detail only.
/// </summary>
internal static class BaselineApi
{
    private static readonly RequestLimits Limits = new();

    public static RouteHandlerBuilder MapBaselineApi(this IEndpointRouteBuilder app) => app.MapPost("/attend", Attend);

    public static async Task<Results<AttendResult, ProblemHttpResult>> Attend(HttpContext http, CancellationToken cancellationToken)
    {
        var (parsed, error) = await ReadRequestAsync(http, cancellationToken);
        if (error is not null) return TypedResults.Problem(detail: error.Detail, statusCode: StatusCodes.Status400BadRequest);
        using var request = parsed!;
        var (context, weights) = EchoAttention.Run(request.Query, request.Values);
        http.Response.RegisterForDispose(context);
        http.Response.RegisterForDispose(weights);
        return new AttendResult(new AttendResponse { Model = request.Model ?? "luong-dot", Backend = "none", Context = context, Weights = weights });
    }

    private static async Task<(AttendRequest?, InferenceError?)> ReadRequestAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (http.Request.ContentLength > Limits.MaxBodyBytes)
            return (null, InferenceError.TooLarge("the body is larger than the limit"));
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = Limits.MaxBodyBytes;
        var body = http.Request.BodyReader;
        while (true)
        {
            ReadResult read = await body.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            if (read.IsCompleted)
            {
                var parsed = AttendRequestReader.Read(buffer, Limits);
                body.AdvanceTo(buffer.End);
                return parsed;
            }
            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}

using AttentionService.Contracts;
using AttentionService.Contracts.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AttentionService.HttpBaseline;

/// <summary>
/// <c>POST /attend</c> without attention: the body is read and parsed by the host's own
/// <see cref="AttendRequestReader.ReadAsync"/> (same limits, one sequence without copying); the answer is an
/// <see cref="AttendResponse"/> streamed by the host's <see cref="AttendResult"/>. Errors answer 400 with the detail only.
/// </summary>
internal static class BaselineApi
{
    private static readonly RequestLimits Limits = new();

    public static RouteHandlerBuilder MapBaselineApi(this IEndpointRouteBuilder app) => app.MapPost("/attend", Attend);

    public static async Task<Results<AttendResult, ProblemHttpResult>> Attend(HttpContext http, CancellationToken cancellationToken)
    {
        var (parsed, error) = await AttendRequestReader.ReadAsync(http.Request, Limits, cancellationToken);
        if (error is not null) return TypedResults.Problem(detail: error.Detail, statusCode: StatusCodes.Status400BadRequest);
        using var request = parsed!;
        var (context, weights) = EchoAttention.Run(request.Query, request.Values);
        http.Response.RegisterForDispose(context);
        http.Response.RegisterForDispose(weights);
        return new AttendResult(new AttendResponse { Model = request.Model ?? "luong-dot", Backend = "none", Context = context, Weights = weights });
    }
}

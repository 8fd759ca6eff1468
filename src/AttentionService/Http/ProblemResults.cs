using Microsoft.AspNetCore.Http.HttpResults;
using AttentionService.Inference;

namespace AttentionService.Http;

/// <summary>Maps error values to RFC 9457 problem details.</summary>
internal static class ProblemResults
{
    /// <summary>Seconds a client should wait before retrying a 503.</summary>
    private const string RetryAfterSeconds = "1";

    public static int StatusCode(this InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.BadRequest => StatusCodes.Status400BadRequest,
        InferenceErrorKind.ModelNotFound => StatusCodes.Status404NotFound,
        InferenceErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        InferenceErrorKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        InferenceErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static ProblemHttpResult ToProblem(this InferenceError error, HttpContext http)
    {
        if (error.Kind == InferenceErrorKind.Unavailable)
            http.Response.Headers.RetryAfter = RetryAfterSeconds;
        return TypedResults.Problem(detail: error.Detail, statusCode: error.Kind.StatusCode(), title: error.Title);
    }
}

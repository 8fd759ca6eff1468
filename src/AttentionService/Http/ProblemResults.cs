using AttentionService.Configuration;
using AttentionService.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AttentionService.Http;

/// <summary>Maps error values to RFC 9457 problem details: the one place an /attend error becomes a status, a title and a detail.</summary>
internal static class ProblemResults
{
    public static int StatusCode(this InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.BadRequest => StatusCodes.Status400BadRequest,
        InferenceErrorKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        InferenceErrorKind.ModelNotFound => StatusCodes.Status404NotFound,
        InferenceErrorKind.BodyTooSlow => StatusCodes.Status408RequestTimeout,
        InferenceErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        InferenceErrorKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        InferenceErrorKind.Unavailable or InferenceErrorKind.Overloaded => StatusCodes.Status503ServiceUnavailable,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static ProblemHttpResult ToProblem(this InferenceError error, HttpContext http)
    {
        if (error.Kind is InferenceErrorKind.Unavailable or InferenceErrorKind.Overloaded)
            http.Response.Headers.RetryAfter = http.RequestServices.GetRequiredService<IOptions<AttentionOptions>>()
                .Value.Concurrency.RetryAfterSeconds.ToString();
        return TypedResults.Problem(detail: error.Detail, statusCode: error.Kind.StatusCode(), title: error.Title);
    }
}

namespace AttentionService.Contracts;

/// <summary>Why a request was not answered with a result; the HTTP layer maps each kind to a status.</summary>
public enum InferenceErrorKind
{
    /// <summary>The request is malformed (400).</summary>
    BadRequest,

    /// <summary>The body is not JSON in UTF-8 (415).</summary>
    UnsupportedMediaType,

    /// <summary>No such model (404).</summary>
    ModelNotFound,

    /// <summary>The body arrived more slowly than the minimum data rate (408).</summary>
    BodyTooSlow,

    /// <summary>Body, dimensions or element counts over the configured limits (413).</summary>
    TooLarge,

    /// <summary>Well-formed but cannot be served: shapes that do not fit the model, a fully masked row, an overflow (422).</summary>
    Unprocessable,

    /// <summary>The model or the chosen backend cannot serve right now (503).</summary>
    Unavailable,

    /// <summary>Every inference slot is busy and the queue is full, or the request ran out of time (503).</summary>
    Overloaded,
}

/// <summary>An error as a value: a kind, a short title and a detail saying what is wrong and where.</summary>
public sealed record InferenceError(InferenceErrorKind Kind, string Title, string Detail)
{
    public static InferenceError BadRequest(string detail) => new(InferenceErrorKind.BadRequest, "Malformed request", detail);
    public static InferenceError BodyTooSlow(string detail) => new(InferenceErrorKind.BodyTooSlow, "Request body too slow", detail);
    public static InferenceError TooLarge(string detail) => new(InferenceErrorKind.TooLarge, "Request too large", detail);
    public static InferenceError Unprocessable(string detail) => new(InferenceErrorKind.Unprocessable, "Request cannot be served", detail);
    public static InferenceError UnsupportedMediaType(string detail) => new(InferenceErrorKind.UnsupportedMediaType, "Unsupported Media Type", detail);
    public static InferenceError ModelNotFound(string detail) => new(InferenceErrorKind.ModelNotFound, "Model not found", detail);
    public static InferenceError Unavailable(string detail) => new(InferenceErrorKind.Unavailable, "Backend unavailable", detail);
    public static InferenceError Overloaded(string detail) => new(InferenceErrorKind.Overloaded, "Overloaded", detail);
}

namespace AttentionService.Contracts.Json;

/// <summary>
/// What an /attend body parsed to: the tensor form (<see cref="Request"/>, owned by the caller), the text form
/// (<see cref="Text"/>), or why neither (<see cref="Error"/>). Exactly one is set.
/// </summary>
public readonly record struct ParsedBody(AttendRequest? Request, TextRequest? Text, InferenceError? Error)
{
    /// <summary>
    /// The tensor form, for callers that serve only tensors (the HTTP baseline, the parser's tests and benchmarks): a
    /// text body is an error to them.
    /// </summary>
    public void Deconstruct(out AttendRequest? request, out InferenceError? error)
    {
        request = Request;
        error = Text is null ? Error : InferenceError.BadRequest("this endpoint takes tensors (query, values), not text");
    }
}

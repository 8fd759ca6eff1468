namespace AttentionService.Contracts;

/// <summary>
/// The answer of <c>POST /attend</c> with text, streamed by <see cref="Json.TextResponseWriter"/>: for <c>source</c>,
/// the one <see cref="Decoding"/>'s fields beside <c>model</c> and <c>backend</c>; for <c>sources</c>, <c>results</c>.
/// </summary>
public sealed class TextResponse
{
    /// <summary>The model that answered.</summary>
    public required string Model { get; init; }

    /// <summary>The backend that actually ran both graphs: <c>onnx</c> or <c>managed</c>.</summary>
    public required string Backend { get; init; }

    /// <summary>One decoding per source, in the request's order.</summary>
    public required IReadOnlyList<Decoding> Results { get; init; }

    /// <summary>True when the request sent <c>sources</c>: the decodings go under <c>results</c>.</summary>
    public bool Batched { get; init; }

    /// <summary>Which of each step's context and weights are written (the request's <c>include</c>).</summary>
    public AnswerParts Include { get; init; } = AnswerParts.All;
}

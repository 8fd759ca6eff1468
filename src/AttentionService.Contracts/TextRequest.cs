namespace AttentionService.Contracts;

/// <summary>
/// The text form of <c>POST /attend</c>, for a seq2seq model: <c>source</c> (one text, answered as one result) or
/// <c>sources</c> (a batch, answered as <c>results</c> in order). The reader has checked that exactly one of them is
/// given, that no text is empty and that no tensor field came with them.
/// </summary>
public sealed class TextRequest
{
    /// <summary>Model name (see GET /models); default <c>Attention:DefaultModel</c>.</summary>
    public string? Model { get; init; }

    /// <summary>Force a backend: <c>onnx</c> or <c>managed</c>. Default: the configured policy.</summary>
    public string? Backend { get; init; }

    /// <summary>The texts to decode: one when the request sent <c>source</c>, each of <c>sources</c> otherwise.</summary>
    public required IReadOnlyList<string> Sources { get; init; }

    /// <summary>True when the request sent <c>sources</c>: the answer is <c>results</c>, one per source.</summary>
    public bool Batched { get; init; }

    /// <summary>Which of each step's context and weights the answer carries (<c>include</c>); default both.</summary>
    public AnswerParts Include { get; init; } = AnswerParts.All;

    /// <summary>Bytes the texts hold (UTF-16), counted in the memory budget.</summary>
    public long Bytes
    {
        get
        {
            long bytes = 0;
            foreach (var source in Sources) bytes += sizeof(char) * (long)source.Length;
            return bytes;
        }
    }
}

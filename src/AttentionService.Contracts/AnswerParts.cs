namespace AttentionService.Contracts;

/// <summary>
/// Which of the context and the weights an answer carries; on the wire an array of <c>"context"</c> and
/// <c>"weights"</c> (any case), each named once. A part left out is neither checked nor written.
/// </summary>
[Flags]
public enum AnswerParts
{
    None = 0,
    Context = 1,
    Weights = 2,
    All = Context | Weights,
}

namespace AttentionService.Contracts;

/// <summary>
/// Labels for the positions of a tensor request (a word, a character, a time step), echoed in the answer so a heatmap
/// can name its rows and columns. Either list may be left out; a list that is sent has one label per position: tq for
/// <c>query</c>, tv for <c>keys</c> (the values' positions when keys are left out), the same for every batch item.
/// </summary>
public sealed class TokenLabels
{
    /// <summary>Longest label, in UTF-16 characters.</summary>
    public const int MaxLabelLength = 256;

    /// <summary>One label per query position (tq), e.g. the output tokens of a decoder.</summary>
    public IReadOnlyList<string>? Query { get; init; }

    /// <summary>One label per key position (tv), e.g. the source tokens.</summary>
    public IReadOnlyList<string>? Keys { get; init; }

    /// <summary>Bytes the labels hold as .NET strings, for the memory budget.</summary>
    public long Bytes() => sizeof(char) * (Characters(Query) + Characters(Keys));

    private static long Characters(IReadOnlyList<string>? labels)
    {
        long characters = 0;
        foreach (var label in labels ?? []) characters += label.Length;
        return characters;
    }
}

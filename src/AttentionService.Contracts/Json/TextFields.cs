using System.Text.Json;

namespace AttentionService.Contracts.Json;

/// <summary>
/// The text form's fields of an /attend body, <c>source</c> and <c>sources</c>: read, and checked against the rest of
/// the body (one of them, alone, without tensor fields). Limits that depend on the model (its longest source, the
/// batch limit) are checked once the model is known.
/// </summary>
internal static class TextFields
{
    public static string ReadSource(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String
            ? NonEmpty(ReadText(ref reader, "source"), "source")
            : throw Malformed($"source must be a string (the text to decode), got {TensorJsonReader.Describe(reader.TokenType)}");

    public static List<string> ReadSources(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Malformed($"sources must be an array of strings (the texts to decode), got {TensorJsonReader.Describe(reader.TokenType)}");
        var sources = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var where = $"sources[{sources.Count}]";
            if (reader.TokenType != JsonTokenType.String)
                throw Malformed($"{where} is {TensorJsonReader.Describe(reader.TokenType)}, expected a string");
            sources.Add(NonEmpty(ReadText(ref reader, where), where));
        }
        if (sources.Count == 0)
            throw Malformed("sources is empty; send at least one text (or source for a single one)");
        return sources;
    }

    /// <summary>Throws when the body sent both text fields, or text fields with tensor fields.</summary>
    public static void CheckAlone(string? source, List<string>? sources, IEnumerable<string> tensorFields)
    {
        if (source is not null && sources is not null)
            throw Malformed("send either source (one text) or sources (several), not both");
        var mixed = tensorFields.ToList();
        if (mixed.Count > 0)
            throw Malformed($"{(source is not null ? "source" : "sources")} (text, for a seq2seq model) cannot come with {string.Join(", ", mixed)} (tensors); send one form or the other");
    }

    private static string NonEmpty(string text, string where) =>
        text.Length > 0 ? text : throw Malformed($"{where} is empty; send the text to decode");

    private static string ReadText(ref Utf8JsonReader reader, string what)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Malformed($"{what} is not valid UTF-8 text");
        }
    }

    private static RequestFormatException Malformed(string detail) => new(InferenceError.BadRequest(detail));
}

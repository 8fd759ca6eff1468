using System.Text.Json;

namespace AttentionService.Contracts.Json;

/// <summary>
/// Reads the options of a tensor request that shape its answer: <c>tokens</c> (labels for the positions),
/// <c>heads</c> and <c>include</c>. Names match without case, as <c>backend</c> does; every error says where.
/// </summary>
public static class LayerOptionsReader
{
    /// <summary>The wire names of <see cref="AttentionHeads"/>, in its order.</summary>
    public static IReadOnlyList<string> HeadsNames { get; } = ["each", "average"];

    /// <summary>The wire names of the parts <c>include</c> may name, in <see cref="AnswerParts"/> order.</summary>
    public static IReadOnlyList<string> PartNames { get; } = ["context", "weights"];

    private static readonly AnswerParts[] Parts = [AnswerParts.Context, AnswerParts.Weights];

    internal static AttentionHeads ReadHeads(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw Malformed($"heads must be a string: {Quoted(HeadsNames)}, got {TensorJsonReader.Describe(reader.TokenType)}");
        var name = AttendRequestReader.ReadText(ref reader, "heads");
        for (var i = 0; i < HeadsNames.Count; i++)
            if (string.Equals(HeadsNames[i], name, StringComparison.OrdinalIgnoreCase)) return (AttentionHeads)i;
        throw Malformed($"unknown heads '{ClientText.Shorten(name)}'; heads is \"each\" (weights per head, the default) or \"average\" (weights averaged over the heads)");
    }

    internal static AnswerParts ReadInclude(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Malformed($"include must be an array of answer parts ({Quoted(PartNames)}), got {TensorJsonReader.Describe(reader.TokenType)}");
        var parts = AnswerParts.None;
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw Malformed($"include[{index}] is {TensorJsonReader.Describe(reader.TokenType)}, expected one of {Quoted(PartNames)}");
            var name = AttendRequestReader.ReadText(ref reader, $"include[{index}]");
            var part = Part(name) ?? throw Malformed($"include[{index}] is '{ClientText.Shorten(name)}'; the parts are {Quoted(PartNames)}");
            if ((parts & part) != 0) throw Malformed($"include names '{PartNames[Array.IndexOf(Parts, part)]}' more than once");
            parts |= part;
            index++;
        }
        if (parts == AnswerParts.None)
            throw Malformed($"include is empty; name at least one of {Quoted(PartNames)}, or leave include out for both");
        return parts;
    }

    private static AnswerParts? Part(string name)
    {
        for (var i = 0; i < PartNames.Count; i++)
            if (string.Equals(PartNames[i], name, StringComparison.OrdinalIgnoreCase)) return Parts[i];
        return null;
    }

    internal static TokenLabels ReadTokens(ref Utf8JsonReader reader, RequestLimits limits)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Malformed($"tokens must be an object with query and/or keys, each an array of labels, got {TensorJsonReader.Describe(reader.TokenType)}");
        List<string>? query = null, keys = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = AttendRequestReader.ReadText(ref reader, "a property name of tokens");
            reader.Read();
            if (name.Equals("query", StringComparison.OrdinalIgnoreCase))
                query = query is null ? ReadLabels(ref reader, "tokens.query", limits) : throw Malformed("tokens.query appears more than once");
            else if (name.Equals("keys", StringComparison.OrdinalIgnoreCase))
                keys = keys is null ? ReadLabels(ref reader, "tokens.keys", limits) : throw Malformed("tokens.keys appears more than once");
            else
                throw Malformed($"unknown property '{ClientText.Shorten(name)}' in tokens; its properties are query, keys");
        }
        return new TokenLabels { Query = query, Keys = keys };
    }

    /// <summary>An array of labels, at most one per position the limits allow and each at most <see cref="TokenLabels.MaxLabelLength"/> characters.</summary>
    private static List<string> ReadLabels(ref Utf8JsonReader reader, string field, RequestLimits limits)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Malformed($"{field} must be an array of strings, one per position, got {TensorJsonReader.Describe(reader.TokenType)}");
        var labels = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (labels.Count == limits.MaxSequenceLength)
                throw new RequestFormatException(InferenceError.TooLarge(
                    $"{field} has more than {limits.MaxSequenceLength} labels, the limit is {limits.MaxSequenceLength} (Attention:Limits:MaxSequenceLength)"));
            if (reader.TokenType != JsonTokenType.String)
                throw Malformed($"{field}[{labels.Count}] is {TensorJsonReader.Describe(reader.TokenType)}, expected a string");
            var label = AttendRequestReader.ReadText(ref reader, $"{field}[{labels.Count}]");
            if (label.Length > TokenLabels.MaxLabelLength)
                throw Malformed($"{field}[{labels.Count}] has {label.Length} characters; a label has at most {TokenLabels.MaxLabelLength}");
            labels.Add(label);
        }
        return labels;
    }

    private static string Quoted(IReadOnlyList<string> names) => string.Join(", ", names.Select(n => $"\"{n}\""));

    private static RequestFormatException Malformed(string detail) => new(InferenceError.BadRequest(detail));
}

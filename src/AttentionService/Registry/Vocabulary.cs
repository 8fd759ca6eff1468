using System.Text;
using System.Text.Json;

namespace AttentionService.Registry;

/// <summary>
/// A seq2seq model's tokens: a token's id is its index in its list. The source is read one character at a time
/// (lowercased first when <see cref="Lowercase"/>), a character outside <see cref="Source"/> becoming the
/// <see cref="Unknown"/> token; the decoder starts from <see cref="Start"/> and stops at <see cref="End"/>.
/// </summary>
public sealed class Vocabulary
{
    private static readonly string[] Fields = ["source", "target", "pad", "unknown", "start", "end", "lowercase"];

    private readonly Dictionary<string, int> _sourceIds;

    private Vocabulary(string[] source, string[] target, string pad, string unknown, string start, string end, bool lowercase)
    {
        Source = source;
        Target = target;
        Pad = pad;
        Unknown = unknown;
        Start = start;
        End = end;
        Lowercase = lowercase;
        _sourceIds = source.Select((token, id) => (token, id)).ToDictionary(p => p.token, p => p.id, StringComparer.Ordinal);
        PadId = _sourceIds[pad];
        UnknownId = _sourceIds[unknown];
        StartId = Array.IndexOf(target, start);
        EndId = Array.IndexOf(target, end);
        TargetPadId = Array.IndexOf(target, pad);
    }

    public IReadOnlyList<string> Source { get; }
    public IReadOnlyList<string> Target { get; }
    public string Pad { get; }
    public string Unknown { get; }
    public string Start { get; }
    public string End { get; }
    public bool Lowercase { get; }

    /// <summary>Source ids of the padding and unknown tokens.</summary>
    public int PadId { get; }
    public int UnknownId { get; }

    /// <summary>Target ids of the start and end tokens, and of the padding token (-1 when the target has none).</summary>
    public int StartId { get; }
    public int EndId { get; }
    public int TargetPadId { get; }

    /// <summary>How many source tokens (characters) <paramref name="text"/> makes.</summary>
    public static int SourceLength(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }

    /// <summary>Writes the source ids of <paramref name="text"/>'s characters into <paramref name="ids"/> (of length <see cref="SourceLength"/>).</summary>
    public void Encode(string text, Span<long> ids)
    {
        Span<char> chars = stackalloc char[2];
        var i = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var character = Lowercase ? Rune.ToLowerInvariant(rune) : rune;
            var length = character.EncodeToUtf16(chars);
            ids[i++] = _sourceIds.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars[..length], out var id) ? id : UnknownId;
        }
    }

    /// <summary>The text of target ids: their tokens joined, without the special ones.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder();
        foreach (var id in ids)
            if (id != StartId && id != EndId && id != TargetPadId) text.Append(Target[id]);
        return text.ToString();
    }

    internal static Vocabulary Parse(string file, JsonElement vocabulary)
    {
        if (vocabulary.ValueKind != JsonValueKind.Object)
            throw Seq2SeqConfig.Invalid(file, $"vocabulary must be an object with {string.Join(", ", Fields)}, not {ModelConfig.Describe(vocabulary)}");
        string[]? source = null, target = null;
        string? pad = null, unknown = null, start = null, end = null;
        var lowercase = false;
        foreach (var field in ModelConfig.Distinct(file, vocabulary, "vocabulary."))
        {
            switch (field.Name)
            {
                case "source": source = Tokens(file, field); break;
                case "target": target = Tokens(file, field); break;
                case "pad": pad = Special(file, field); break;
                case "unknown": unknown = Special(file, field); break;
                case "start": start = Special(file, field); break;
                case "end": end = Special(file, field); break;
                case "lowercase":
                    lowercase = field.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
                        ? field.Value.GetBoolean()
                        : throw Seq2SeqConfig.Invalid(file, $"vocabulary.lowercase must be true or false, not {ModelConfig.Describe(field.Value)}");
                    break;
                default:
                    throw Seq2SeqConfig.Invalid(file, $"unknown field 'vocabulary.{field.Name}'; vocabulary has {string.Join(", ", Fields)}");
            }
        }
        if (source is null) throw Required(file, "source", "the source tokens (characters), specials included; a token's id is its index");
        if (target is null) throw Required(file, "target", "the target tokens, specials included; a token's id is its index");
        if (pad is null) throw Required(file, "pad", "the padding token, in the source list");
        if (unknown is null) throw Required(file, "unknown", "the token for characters outside the source list");
        if (start is null) throw Required(file, "start", "the token the decoder starts from, in the target list");
        if (end is null) throw Required(file, "end", "the token that ends the output, in the target list");
        foreach (var (special, name) in new[] { (pad, "pad"), (unknown, "unknown") })
            if (!source.Contains(special))
                throw Seq2SeqConfig.Invalid(file, $"vocabulary.source has no {name} token '{special}' (vocabulary.{name})");
        foreach (var (special, name) in new[] { (start, "start"), (end, "end") })
            if (!target.Contains(special))
                throw Seq2SeqConfig.Invalid(file, $"vocabulary.target has no {name} token '{special}' (vocabulary.{name})");
        string[] specials = [pad, unknown, start, end];
        for (var id = 0; id < source.Length; id++)
            if (!specials.Contains(source[id]) && SourceLength(source[id]) != 1)
                throw Seq2SeqConfig.Invalid(file, $"vocabulary.source[{id}] is '{source[id]}'; the source is read one character at a time, so each token but the special ones is one character");
        return new Vocabulary(source, target, pad, unknown, start, end, lowercase);
    }

    private static string[] Tokens(string file, JsonProperty field)
    {
        if (field.Value.ValueKind != JsonValueKind.Array || field.Value.GetArrayLength() == 0)
            throw Seq2SeqConfig.Invalid(file, $"vocabulary.{field.Name} must be a non-empty array of tokens, not {ModelConfig.Describe(field.Value)}");
        var tokens = new string[field.Value.GetArrayLength()];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var id = 0;
        foreach (var token in field.Value.EnumerateArray())
        {
            if (token.ValueKind != JsonValueKind.String || token.GetString() is not { Length: > 0 } text)
                throw Seq2SeqConfig.Invalid(file, $"vocabulary.{field.Name}[{id}] must be a non-empty string, not {ModelConfig.Describe(token)}");
            if (!seen.TryAdd(text, id))
                throw Seq2SeqConfig.Invalid(file, $"vocabulary.{field.Name}[{id}] '{text}' is also vocabulary.{field.Name}[{seen[text]}]; each token has one id");
            tokens[id++] = text;
        }
        return tokens;
    }

    private static string Special(string file, JsonProperty field) =>
        field.Value.ValueKind == JsonValueKind.String && field.Value.GetString() is { Length: > 0 } token
            ? token
            : throw Seq2SeqConfig.Invalid(file, $"vocabulary.{field.Name} must be a token (a non-empty string), not {ModelConfig.Describe(field.Value)}");

    private static InvalidDataException Required(string file, string field, string what) =>
        Seq2SeqConfig.Invalid(file, $"vocabulary.{field} is required: {what}");
}

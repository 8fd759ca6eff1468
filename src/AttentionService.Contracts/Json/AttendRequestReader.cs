using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using AttentionService.Core.Tensors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AttentionService.Contracts.Json;

/// <summary>
/// Reserves room for <paramref name="bytes"/> of body in all (not more); returns why not, or null when reserved.
/// </summary>
public delegate InferenceError? BodyReservation(long bytes);

/// <summary>
/// Reads an /attend body from the request pipe within the size limit, then parses it with one forward pass of <see cref="Utf8JsonReader"/>: tensors go straight into pooled
/// buffers, and every error is a value that says what is wrong and where.
/// </summary>
public static class AttendRequestReader
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static readonly string[] Properties =
        ["model", "backend", "query", "keys", "values", "mask", "causal", "inputs", "outputs", "tokens", "heads", "include", "source", "sources"];

    /// <summary>
    /// Reads the whole body from <paramref name="request"/>'s pipe (refusing it once it passes
    /// <see cref="RequestLimits.MaxBodyBytes"/>) and parses it; the body is held as one sequence, never copied whole.
    /// </summary>
    public static ValueTask<ParsedBody> ReadAsync(HttpRequest request, RequestLimits limits,
        CancellationToken cancellationToken, BodyReservation? reserve = null) =>
        RequestBody.ReadAsync(request, limits, cancellationToken, reserve, body => Read(body, limits), Refused);

    private static ParsedBody Refused(InferenceError error) => new(null, null, error);

    public static ParsedBody Read(ReadOnlySequence<byte> json, RequestLimits limits)
    {
        if (json.IsEmpty)
            return Refused(InferenceError.BadRequest("the request body is empty; send a JSON object with query and values (or, to a seq2seq model, source)"));
        // A UTF-8 byte order mark is allowed before JSON text (RFC 8259 §8.1 lets parsers ignore it).
        if (json.FirstSpan.StartsWith(Utf8Bom)) json = json.Slice(Utf8Bom.Length);
        var options = new JsonReaderOptions { MaxDepth = limits.MaxJsonDepth };
        if (json.IsSingleSegment)
            return Read(json.FirstSpan, options, limits);
        // Kestrel hands a body over in pooled segments of a few KB. Utf8JsonReader is far slower over a sequence than
        // over one span (about a third of the parse went to its multi-segment paths), so the body is copied once into
        // a pooled contiguous buffer; its length is already bounded by Attention:Limits:MaxBodyBytes.
        var length = checked((int)json.Length);
        var contiguous = TensorPool<byte>.Shared.Rent(length);
        try
        {
            json.CopyTo(contiguous);
            return Read(contiguous.AsSpan(0, length), options, limits);
        }
        finally
        {
            TensorPool<byte>.Shared.Return(contiguous);
        }
    }

    private static ParsedBody Read(ReadOnlySpan<byte> json, JsonReaderOptions options, RequestLimits limits)
    {
        var reader = new Utf8JsonReader(json, options);
        string? model = null, backend = null;
        Tensor<float>? query = null, keys = null, values = null, mask = null;
        bool? causal = null;
        Dictionary<string, JsonTensor>? inputs = null;
        List<string>? outputs = null;
        TokenLabels? tokens = null;
        AttentionHeads? heads = null;
        AnswerParts? include = null;
        string? source = null;
        List<string>? sources = null;
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                return Refused(InferenceError.BadRequest("the request body must be a JSON object with query and values (or, to a seq2seq model, source)"));
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = KnownProperty(ref reader)
                    ?? throw Malformed($"unknown property '{ClientText.Shorten(ReadText(ref reader, "a property name"))}'; properties are {string.Join(", ", Properties)}");
                reader.Read();
                switch (property)
                {
                    case "model": Once(ref model, ReadString(ref reader, property), property); break;
                    case "backend": Once(ref backend, ReadString(ref reader, property), property); break;
                    case "query": Once(ref query, ReadTensor(ref reader, property, limits), property); break;
                    case "keys": Once(ref keys, ReadTensor(ref reader, property, limits), property); break;
                    case "values": Once(ref values, ReadTensor(ref reader, property, limits), property); break;
                    case "mask": Once(ref mask, TensorJsonReader.Read(ref reader, property, booleans: true, maxRank: 3, limits), property); break;
                    case "causal": Once(ref causal, ReadBoolean(ref reader, property), property); break;
                    case "inputs": Once(ref inputs, ReadInputs(json, ref reader), property); break;
                    case "outputs": Once(ref outputs, ReadOutputs(ref reader), property); break;
                    case "tokens": Once(ref tokens, LayerOptionsReader.ReadTokens(ref reader, limits), property); break;
                    case "heads": Once(ref heads, LayerOptionsReader.ReadHeads(ref reader), property); break;
                    case "include": Once(ref include, LayerOptionsReader.ReadInclude(ref reader), property); break;
                    case "source": Once(ref source, TextFields.ReadSource(ref reader), property); break;
                    case "sources": Once(ref sources, TextFields.ReadSources(ref reader), property); break;
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject)
                throw Malformed("the request body is not a complete JSON object");
            if (reader.Read())
                throw Malformed("unexpected content after the JSON object");
            if (source is not null || sources is not null)
            {
                TextFields.CheckAlone(source, sources, TensorFieldsPresent(query, keys, values, mask, causal, inputs, outputs, tokens, heads));
                return new(null, new TextRequest
                {
                    Model = model, Backend = backend, Sources = sources ?? [source!], Batched = sources is not null, Include = include ?? AnswerParts.All,
                }, null);
            }
            if (query is null) throw Malformed("query is required: [tq][d] or [batch][tq][d] numbers");
            if (values is null) throw Malformed("values is required: [tv][d] or [batch][tv][d] numbers");
            var request = new AttendRequest
            {
                Model = model, Backend = backend, Query = query, Keys = keys, Values = values, Mask = mask, Causal = causal ?? false,
                Inputs = inputs, Outputs = outputs, Tokens = tokens, Heads = heads ?? AttentionHeads.Each, Include = include ?? AnswerParts.All,
            };
            return new(request, null, null);
        }
        catch (Exception e) when (e is RequestFormatException or JsonException)
        {
            query?.Dispose();
            keys?.Dispose();
            values?.Dispose();
            mask?.Dispose();
            return Refused(e is RequestFormatException format ? format.Error : InferenceError.BadRequest(JsonError((JsonException)e)));
        }
    }

    /// <summary>The tensor fields a body sent, named as it would name them (for the error when text comes with them).</summary>
    private static IEnumerable<string> TensorFieldsPresent(Tensor<float>? query, Tensor<float>? keys, Tensor<float>? values, Tensor<float>? mask,
        bool? causal, Dictionary<string, JsonTensor>? inputs, List<string>? outputs, TokenLabels? tokens, AttentionHeads? heads)
    {
        if (query is not null) yield return "query";
        if (keys is not null) yield return "keys";
        if (values is not null) yield return "values";
        if (mask is not null) yield return "mask";
        if (causal is not null) yield return "causal";
        if (inputs is not null) yield return "inputs";
        if (outputs is not null) yield return "outputs";
        if (tokens is not null) yield return "tokens";
        if (heads is not null) yield return "heads";
    }

    /// <summary>The property the reader is on, matched without case and without allocating; null when unknown.</summary>
    private static string? KnownProperty(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > 7)
        {
            // Rare spellings (escapes, a name split across segments): decode, then compare.
            var name = ReadText(ref reader, "a property name");
            return Array.Find(Properties, p => p.Equals(name, StringComparison.OrdinalIgnoreCase));
        }
        var raw = reader.ValueSpan;
        foreach (var property in Properties)
            if (Ascii.EqualsIgnoreCase(raw, property)) return property;
        return null;
    }

    private static Tensor<float> ReadTensor(ref Utf8JsonReader reader, string property, RequestLimits limits) =>
        TensorJsonReader.Read(ref reader, property, booleans: false, maxRank: 3, limits);

    /// <summary>
    /// The <c>inputs</c> object: each tensor's JSON text, kept as sent (checked as JSON and within the depth limit by
    /// skipping over it) and parsed once the model says which element type its graph input takes.
    /// </summary>
    private static Dictionary<string, JsonTensor> ReadInputs(ReadOnlySpan<byte> json, ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Malformed($"inputs must be an object of tensors keyed by input name, got {TensorJsonReader.Describe(reader.TokenType)}");
        var inputs = new Dictionary<string, JsonTensor>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = ReadText(ref reader, "an input name");
            if (inputs.ContainsKey(name)) throw Malformed($"inputs.{ClientText.Shorten(name)} appears more than once");
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
                throw Malformed($"inputs.{ClientText.Shorten(name)} must be a nested array, got {TensorJsonReader.Describe(reader.TokenType)}");
            var start = checked((int)reader.TokenStartIndex);
            reader.Skip();
            inputs.Add(name, new JsonTensor(name, json[start..checked((int)reader.BytesConsumed)].ToArray()));
        }
        return inputs;
    }

    /// <summary>The <c>outputs</c> array: names of outputs to return beyond context and weights.</summary>
    private static List<string> ReadOutputs(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Malformed($"outputs must be an array of output names, got {TensorJsonReader.Describe(reader.TokenType)}");
        var outputs = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw Malformed($"outputs[{outputs.Count}] is {TensorJsonReader.Describe(reader.TokenType)}, expected an output name");
            var name = ReadText(ref reader, $"outputs[{outputs.Count}]");
            if (outputs.Contains(name)) throw Malformed($"outputs names '{ClientText.Shorten(name)}' more than once");
            outputs.Add(name);
        }
        return outputs;
    }

    private static string ReadString(ref Utf8JsonReader reader, string property) =>
        reader.TokenType == JsonTokenType.String ? ReadText(ref reader, property) : throw Malformed($"{property} must be a string");

    /// <summary>A string token as text; escapes that decode to invalid UTF-16 (a lone surrogate) are the client's error.</summary>
    internal static string ReadText(ref Utf8JsonReader reader, string what)
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

    private static bool ReadBoolean(ref Utf8JsonReader reader, string property) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Malformed($"{property} must be true or false"),
    };

    private static void Once<T>(ref T? slot, T value, string property)
    {
        if (slot is not null)
        {
            (value as IDisposable)?.Dispose();
            throw Malformed($"{property} appears more than once");
        }
        slot = value;
    }

    /// <summary>The reader's own message without the .NET type names, plus where it stopped.</summary>
    private static string JsonError(JsonException e) =>
        $"the body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message.Split(" LineNumber:")[0].TrimEnd('.', ' ')}";

    private static RequestFormatException Malformed(string detail) => new(InferenceError.BadRequest(detail));
}

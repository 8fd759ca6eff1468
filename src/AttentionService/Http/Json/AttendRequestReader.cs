using System.Buffers;
using System.Text.Json;
using AttentionService.Configuration;
using AttentionService.Core.Tensors;
using AttentionService.Http.Contracts;
using AttentionService.Inference;

namespace AttentionService.Http.Json;

/// <summary>
/// Parses an /attend body with one forward pass of <see cref="Utf8JsonReader"/>: tensors go straight into pooled
/// buffers, and every error is a value that says what is wrong and where.
/// </summary>
internal static class AttendRequestReader
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static readonly string[] Properties = ["model", "backend", "query", "keys", "values", "mask", "causal"];

    public static (AttendRequest? Request, InferenceError? Error) Read(ReadOnlySequence<byte> json, RequestLimits limits)
    {
        if (json.IsEmpty)
            return (null, InferenceError.BadRequest("the request body is empty; send a JSON object with query and values"));
        // A UTF-8 byte order mark is allowed before JSON text (RFC 8259 §8.1 lets parsers ignore it).
        if (json.FirstSpan.StartsWith(Utf8Bom)) json = json.Slice(Utf8Bom.Length);
        var options = new JsonReaderOptions { MaxDepth = limits.MaxJsonDepth };
        if (json.IsSingleSegment)
        {
            var reader = new Utf8JsonReader(json.FirstSpan, options);
            return Read(ref reader, limits);
        }
        // Kestrel hands a body over in pooled segments of a few KB. Utf8JsonReader is far slower over a sequence than
        // over one span (about a third of the parse went to its multi-segment paths), so the body is copied once into
        // a pooled contiguous buffer; its length is already bounded by Attention:Limits:MaxBodyBytes.
        var length = checked((int)json.Length);
        var contiguous = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            json.CopyTo(contiguous);
            var reader = new Utf8JsonReader(contiguous.AsSpan(0, length), options);
            return Read(ref reader, limits);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(contiguous);
        }
    }

    private static (AttendRequest? Request, InferenceError? Error) Read(ref Utf8JsonReader reader, RequestLimits limits)
    {
        string? model = null, backend = null;
        Tensor? query = null, keys = null, values = null, mask = null;
        bool? causal = null;
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                return (null, InferenceError.BadRequest("the request body must be a JSON object with query and values"));
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = ReadText(ref reader, "a property name");
                var property = Array.Find(Properties, p => p.Equals(name, StringComparison.OrdinalIgnoreCase))
                    ?? throw Malformed($"unknown property '{name}'; properties are {string.Join(", ", Properties)}");
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
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject)
                throw Malformed("the request body is not a complete JSON object");
            if (reader.Read())
                throw Malformed("unexpected content after the JSON object");
            if (query is null) throw Malformed("query is required: [tq][d] or [batch][tq][d] numbers");
            if (values is null) throw Malformed("values is required: [tv][d] or [batch][tv][d] numbers");
            var request = new AttendRequest
            {
                Model = model, Backend = backend, Query = query, Keys = keys, Values = values, Mask = mask, Causal = causal ?? false,
            };
            return (request, null);
        }
        catch (Exception e) when (e is RequestFormatException or JsonException)
        {
            query?.Dispose();
            keys?.Dispose();
            values?.Dispose();
            mask?.Dispose();
            return (null, e is RequestFormatException format ? format.Error : InferenceError.BadRequest(JsonError((JsonException)e)));
        }
    }

    private static Tensor ReadTensor(ref Utf8JsonReader reader, string property, RequestLimits limits) =>
        TensorJsonReader.Read(ref reader, property, booleans: false, maxRank: 3, limits);

    private static string ReadString(ref Utf8JsonReader reader, string property) =>
        reader.TokenType == JsonTokenType.String ? ReadText(ref reader, property) : throw Malformed($"{property} must be a string");

    /// <summary>A string token as text; escapes that decode to invalid UTF-16 (a lone surrogate) are the client's error.</summary>
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

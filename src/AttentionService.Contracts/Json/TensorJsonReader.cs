using System.Buffers;
using System.Text.Json;
using AttentionService.Core.Tensors;

namespace AttentionService.Contracts.Json;

/// <summary>
/// Reads a JSON nested array (numbers, or booleans for masks) straight into one pooled contiguous buffer, checking as it
/// goes that rows are rectangular, the rank is within bounds and the element count within the limits. Errors name the
/// exact place, e.g. <c>values[3] has 63 numbers, expected 64</c>.
/// </summary>
internal static class TensorJsonReader
{
    private const int MaxRank = 8;

    /// <summary>Reads the array the reader is positioned on; returns a tensor whose shape has the array's nesting.</summary>
    public static Tensor<float> Read(ref Utf8JsonReader reader, string field, bool booleans, int maxRank, RequestLimits limits)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Malformed($"{field} must be an array of {(booleans ? "booleans" : "numbers")}, got {Describe(reader.TokenType)}");
        var state = new State(field, booleans, Math.Min(maxRank, MaxRank), limits.MaxElements);
        try
        {
            ReadArray(ref reader, 0, ref state);
            var shape = ((ReadOnlySpan<int>)state.Dims)[..state.Rank].ToArray();
            var tensor = Tensor.AdoptPooled(state.Buffer, shape);
            state.Buffer = null!;
            return tensor;
        }
        finally
        {
            if (state.Buffer is not null) ArrayPool<float>.Shared.Return(state.Buffer);
        }
    }

    private static void ReadArray(ref Utf8JsonReader reader, int level, ref State s)
    {
        var items = 0;
        while (true)
        {
            if (!reader.Read())
                throw Malformed($"the body ends inside {s.PathTo(level)}");
            if (reader.TokenType == JsonTokenType.EndArray) break;
            s.Index[level] = items;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    if (s.Rank >= 0 && level + 1 >= s.Rank)
                        throw Malformed($"{s.PathTo(level + 1)} is an array, expected a {s.ElementName} (rows must all have the same nesting)");
                    if (level + 1 >= s.MaxRank)
                        throw Malformed($"{s.Field} is nested deeper than rank {s.MaxRank}");
                    ReadArray(ref reader, level + 1, ref s);
                    break;
                case JsonTokenType.Number when !s.Booleans:
                    s.AtLeaf(level);
                    if (!TryGetFiniteSingle(ref reader, out var value))
                        throw Malformed($"{s.PathTo(level + 1)} = {RawText(ref reader)} is outside the float32 range");
                    s.Append(value);
                    break;
                case JsonTokenType.True or JsonTokenType.False when s.Booleans:
                    s.AtLeaf(level);
                    s.Append(reader.TokenType == JsonTokenType.True ? 1f : 0f);
                    break;
                default:
                    throw Malformed($"{s.PathTo(level + 1)} is {Describe(reader.TokenType)}, expected a {s.ElementName}");
            }
            items++;
        }
        if (items == 0)
            throw Malformed($"{s.PathTo(level)} is empty");
        if (s.Dims[level] < 0)
            s.Dims[level] = items;
        else if (s.Dims[level] != items)
            throw Malformed($"{s.PathTo(level)} has {items} {(level + 1 == s.Rank ? s.ElementName : "row")}{(items == 1 ? "" : "s")}, expected {s.Dims[level]}");
    }

    /// <summary>The number as a finite float32: the fast decimal path when it applies, else the reader's own parser.</summary>
    private static bool TryGetFiniteSingle(ref Utf8JsonReader reader, out float value) =>
        (!reader.HasValueSequence && DecimalFloatParser.TryParse(reader.ValueSpan, out value))
        || (reader.TryGetSingle(out value) && float.IsFinite(value));

    private static string RawText(ref Utf8JsonReader reader) =>
        System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };

    private static RequestFormatException Malformed(string detail) => new(InferenceError.BadRequest(detail));

    /// <summary>One count per nesting level, up to <see cref="MaxRank"/>.</summary>
    [System.Runtime.CompilerServices.InlineArray(MaxRank)]
    private struct Dimensions
    {
        private int _first;

        /// <summary>Every level's size not yet seen (-1).</summary>
        public static Dimensions Unknown
        {
            get
            {
                var dims = new Dimensions();
                ((Span<int>)dims).Fill(-1);
                return dims;
            }
        }
    }

    private struct State(string field, bool booleans, int maxRank, int maxElements)
    {
        public readonly string Field = field;
        public readonly bool Booleans = booleans;
        public readonly int MaxRank = maxRank;
        // Inline, so reading a tensor allocates only its buffer and its shape.
        public Dimensions Dims = Dimensions.Unknown;
        public Dimensions Index;
        public int Rank = -1;
        public float[] Buffer = ArrayPool<float>.Shared.Rent(1024);
        private int _count;

        public readonly string ElementName => Booleans ? "boolean" : "number";

        /// <summary>The first scalar fixes the rank; every later one must sit at the same depth.</summary>
        public void AtLeaf(int level)
        {
            if (Rank < 0) Rank = level + 1;
            else if (level + 1 != Rank)
                throw Malformed($"{PathTo(level + 1)} is a {ElementName}, expected an array (rows must all have the same nesting)");
        }

        public void Append(float value)
        {
            if (_count >= maxElements)
                throw new RequestFormatException(InferenceError.TooLarge(
                    $"{Field} has more than {maxElements} {ElementName}s (Attention:Limits:MaxElements)"));
            if (_count == Buffer.Length)
            {
                var larger = ArrayPool<float>.Shared.Rent(Math.Min(_count * 2, maxElements));
                Buffer.AsSpan(0, _count).CopyTo(larger);
                ArrayPool<float>.Shared.Return(Buffer);
                Buffer = larger;
            }
            Buffer[_count++] = value;
        }

        public readonly string PathTo(int depth)
        {
            var path = new System.Text.StringBuilder(Field);
            for (var i = 0; i < depth; i++) path.Append('[').Append(Index[i]).Append(']');
            return path.ToString();
        }
    }
}

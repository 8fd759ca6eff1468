using System.Buffers;
using System.Text.Json;
using AttentionService.Core.Tensors;

namespace AttentionService.Contracts.Json;

/// <summary>What a JSON tensor's scalars must be: numbers, integers, or booleans.</summary>
internal enum JsonScalar
{
    /// <summary>Finite float32 numbers.</summary>
    Number,

    /// <summary>Whole numbers in the int64 range, written without a fraction or exponent.</summary>
    Integer,

    /// <summary><c>true</c> and <c>false</c> (held as 1 and 0 in a float tensor).</summary>
    Boolean,
}

/// <summary>
/// Reads a JSON nested array (numbers, integers or booleans) straight into one pooled contiguous buffer, checking as it
/// goes that rows are rectangular, the rank is within bounds and the element count within the limits. Errors name the
/// exact place, e.g. <c>values[3] has 63 numbers, expected 64</c>.
/// </summary>
internal static class TensorJsonReader
{
    private const int MaxRank = 8;

    /// <summary>Reads the array the reader is positioned on; returns a tensor whose shape has the array's nesting.</summary>
    public static Tensor<float> Read(ref Utf8JsonReader reader, string field, bool booleans, int maxRank, RequestLimits limits) =>
        Read<float>(ref reader, field, booleans ? JsonScalar.Boolean : JsonScalar.Number, maxRank, limits);

    /// <summary>
    /// Reads the array the reader is positioned on into a tensor of <typeparamref name="T"/>: float from numbers (or
    /// from booleans as 1 and 0), long from integers, bool from booleans.
    /// </summary>
    public static Tensor<T> Read<T>(ref Utf8JsonReader reader, string field, JsonScalar scalars, int maxRank, RequestLimits limits)
        where T : unmanaged
    {
        if (!Pairs<T>(scalars))
            throw new ArgumentException($"a tensor of {typeof(T).Name} is not read from {scalars} scalars", nameof(scalars));
        var state = new State<T>(field, scalars, Math.Min(maxRank, MaxRank), limits.MaxElements);
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Malformed($"{field} must be an array of {state.ElementName}s, got {Describe(reader.TokenType)}");
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
            if (state.Buffer is not null) TensorPool<T>.Shared.Return(state.Buffer);
        }
    }

    private static void ReadArray<T>(ref Utf8JsonReader reader, int level, ref State<T> s) where T : unmanaged
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
                        throw Malformed($"{s.PathTo(level + 1)} is an array, expected {s.AnElement} (rows must all have the same nesting)");
                    if (level + 1 >= s.MaxRank)
                        throw Malformed($"{s.Field} is nested deeper than rank {s.MaxRank}");
                    ReadArray(ref reader, level + 1, ref s);
                    break;
                case JsonTokenType.Number when s.Scalars == JsonScalar.Number:
                    s.AtLeaf(level);
                    if (!TryGetFiniteSingle(ref reader, out var value))
                        throw Malformed($"{s.PathTo(level + 1)} = {ClientText.Shorten(RawText(ref reader))} is outside the float32 range");
                    s.Append(As<float, T>(value));
                    break;
                case JsonTokenType.Number when s.Scalars == JsonScalar.Integer:
                    s.AtLeaf(level);
                    if (!reader.TryGetInt64(out var integer))
                        throw Malformed(IsWhole(ref reader)
                            ? $"{s.PathTo(level + 1)} = {ClientText.Shorten(RawText(ref reader))} is outside the int64 range"
                            : $"{s.PathTo(level + 1)} = {ClientText.Shorten(RawText(ref reader))} is not an integer; {s.Field} takes INT64");
                    s.Append(As<long, T>(integer));
                    break;
                case JsonTokenType.True or JsonTokenType.False when s.Scalars == JsonScalar.Boolean:
                    s.AtLeaf(level);
                    var truth = reader.TokenType == JsonTokenType.True;
                    s.Append(typeof(T) == typeof(bool) ? As<bool, T>(truth) : As<float, T>(truth ? 1f : 0f));
                    break;
                default:
                    throw Malformed($"{s.PathTo(level + 1)} is {Describe(reader.TokenType)}, expected {s.AnElement}");
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

    /// <summary>The scalars each element type is read from: float from numbers or booleans, long from integers, bool from booleans.</summary>
    private static bool Pairs<T>(JsonScalar scalars) where T : unmanaged =>
        typeof(T) == typeof(float) ? scalars is JsonScalar.Number or JsonScalar.Boolean
        : typeof(T) == typeof(long) ? scalars == JsonScalar.Integer
        : typeof(T) == typeof(bool) && scalars == JsonScalar.Boolean;

    /// <summary>Reinterprets a scalar already known to be of the tensor's type (the JIT removes it for each T).</summary>
    private static TTo As<TFrom, TTo>(TFrom value) => System.Runtime.CompilerServices.Unsafe.As<TFrom, TTo>(ref value);

    /// <summary>The number as a finite float32: the fast decimal path when it applies, else the reader's own parser.</summary>
    private static bool TryGetFiniteSingle(ref Utf8JsonReader reader, out float value) =>
        (!reader.HasValueSequence && DecimalFloatParser.TryParse(reader.ValueSpan, out value))
        || (reader.TryGetSingle(out value) && float.IsFinite(value));

    /// <summary>Whether a number that is no int64 is written as one (digits only), so only its size is wrong.</summary>
    private static bool IsWhole(ref Utf8JsonReader reader)
    {
        var text = RawText(ref reader);
        return text.TrimStart('-').All(char.IsAsciiDigit);
    }

    private static string RawText(ref Utf8JsonReader reader) =>
        System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);

    internal static string Describe(JsonTokenType token) => token switch
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

    private struct State<T>(string field, JsonScalar scalars, int maxRank, int maxElements) where T : unmanaged
    {
        public readonly string Field = field;
        public readonly JsonScalar Scalars = scalars;
        public readonly int MaxRank = maxRank;
        // Inline, so reading a tensor allocates only its buffer and its shape.
        public Dimensions Dims = Dimensions.Unknown;
        public Dimensions Index;
        public int Rank = -1;
        public T[] Buffer = TensorPool<T>.Shared.Rent(1024);
        private int _count;

        public readonly string ElementName => Scalars switch
        {
            JsonScalar.Boolean => "boolean",
            JsonScalar.Integer => "integer",
            _ => "number",
        };

        /// <summary>"a number", "an integer", "a boolean".</summary>
        public readonly string AnElement => Scalars == JsonScalar.Integer ? "an integer" : "a " + ElementName;

        /// <summary>The first scalar fixes the rank; every later one must sit at the same depth.</summary>
        public void AtLeaf(int level)
        {
            if (Rank < 0) Rank = level + 1;
            else if (level + 1 != Rank)
                throw Malformed($"{PathTo(level + 1)} is {AnElement}, expected an array (rows must all have the same nesting)");
        }

        public void Append(T value)
        {
            if (_count >= maxElements)
                throw new RequestFormatException(InferenceError.TooLarge(
                    $"{Field} has more than {maxElements} {ElementName}s (Attention:Limits:MaxElements)"));
            if (_count == Buffer.Length)
            {
                var larger = TensorPool<T>.Shared.Rent(Math.Min(_count * 2, maxElements));
                Buffer.AsSpan(0, _count).CopyTo(larger);
                TensorPool<T>.Shared.Return(Buffer);
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

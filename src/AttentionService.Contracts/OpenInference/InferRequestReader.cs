using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using AttentionService.Contracts.Json;
using AttentionService.Core.Tensors;
using Microsoft.AspNetCore.Http;

namespace AttentionService.Contracts.OpenInference;

/// <summary>
/// Reads an Open Inference Protocol infer body: the JSON inference request, followed, under the binary tensor data
/// extension, by the raw bytes of the inputs that declare <c>binary_data_size</c> (the JSON's length is the
/// <c>Inference-Header-Content-Length</c> header). Datatypes FP32, INT64 and BOOL; data flat or nested, in row-major
/// order. Every error is a value that names the input and what is wrong.
/// </summary>
public static class InferRequestReader
{
    /// <summary>The binary tensor data extension's header: the length of the JSON that starts the body.</summary>
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    /// <summary>The datatypes an input may have: the element types the models' graphs take.</summary>
    public const string Datatypes = "FP32, INT64 or BOOL";

    private static readonly string[] Properties = ["id", "parameters", "inputs", "outputs"];

    public static ValueTask<(InferRequest? Request, InferenceError? Error)> ReadAsync(HttpRequest request, RequestLimits limits,
        CancellationToken cancellationToken, BodyReservation? reserve = null)
    {
        long? headerLength = null;
        if (request.Headers.TryGetValue(HeaderLengthHeader, out var header))
        {
            if (!long.TryParse(header.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                return ValueTask.FromResult<(InferRequest?, InferenceError?)>((null, InferenceError.BadRequest(
                    $"{HeaderLengthHeader} is '{ClientText.Shorten(header.ToString())}'; send the JSON's length in bytes")));
            headerLength = length;
        }
        return RequestBody.ReadAsync<(InferRequest?, InferenceError?)>(request, limits, cancellationToken, reserve,
            body => Read(body, headerLength, limits), error => (null, error));
    }

    /// <summary>Parses a complete body; <paramref name="headerLength"/> is the JSON's length when binary data follows it.</summary>
    public static (InferRequest? Request, InferenceError? Error) Read(ReadOnlySequence<byte> body, long? headerLength, RequestLimits limits)
    {
        if (headerLength > body.Length)
            return (null, InferenceError.BadRequest($"{HeaderLengthHeader} is {headerLength} but the body has {body.Length} bytes"));
        if (body.IsSingleSegment) return Read(body.FirstSpan, headerLength, limits);
        // One contiguous copy, as /attend makes: the JSON reader is far faster over a span; the length is bounded by MaxBodyBytes.
        var length = checked((int)body.Length);
        var contiguous = TensorPool<byte>.Shared.Rent(length);
        try
        {
            body.CopyTo(contiguous);
            return Read(contiguous.AsSpan(0, length), headerLength, limits);
        }
        finally
        {
            TensorPool<byte>.Shared.Return(contiguous);
        }
    }

    private static (InferRequest?, InferenceError?) Read(ReadOnlySpan<byte> body, long? headerLength, RequestLimits limits)
    {
        var json = headerLength is { } n ? body[..(int)n] : body;
        var binary = headerLength is { } m ? body[(int)m..] : [];
        if (json.IsEmpty)
            return (null, InferenceError.BadRequest("the request body is empty; send an inference request: {\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}]}"));
        // The data of an input nests inside the body, an inputs array and the input object.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = limits.MaxJsonDepth + 3 });
        string? id = null;
        InferParameters? parameters = null;
        List<InferInput>? inputs = null;
        List<RequestedOutput>? outputs = null;
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                throw Malformed("the request body must be a JSON object with inputs");
            var binaryUsed = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString()!;
                reader.Read();
                switch (property)
                {
                    case "id": Once(id, property); id = ReadString(ref reader, property); break;
                    case "parameters": Once(parameters, property); parameters = ReadParameters(ref reader); break;
                    case "inputs": Once(inputs, property); inputs = ReadInputs(ref reader, json, binary, ref binaryUsed, limits); break;
                    case "outputs": Once(outputs, property); outputs = ReadOutputs(ref reader); break;
                    default:
                        throw Malformed($"unknown property '{ClientText.Shorten(property)}'; properties are {string.Join(", ", Properties)}");
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject)
                throw Malformed("the request body is not a complete JSON object");
            if (HasMore(ref reader))
                throw Malformed(headerLength is null
                    ? $"unexpected content after the JSON object; binary tensor data needs the {HeaderLengthHeader} header"
                    : $"unexpected content after the JSON object, within its {HeaderLengthHeader}");
            if (inputs is null) throw Malformed("inputs is required: [{\"name\", \"shape\", \"datatype\", \"data\"}, ...]");
            if (binaryUsed != binary.Length)
                throw Malformed($"the body has {binary.Length - binaryUsed} bytes of binary data beyond what the inputs' binary_data_size declare");
            return (new InferRequest { Id = id, Parameters = parameters ?? new(null, false, false), Inputs = inputs, Outputs = outputs }, null);
        }
        catch (Exception e) when (e is RequestFormatException or JsonException)
        {
            foreach (var input in inputs ?? []) input.Dispose();
            return (null, e is RequestFormatException format ? format.Error
                : InferenceError.BadRequest($"the request body is not valid JSON: {ClientText.Escape(e.Message)}"));
        }
    }

    /// <summary>Whether anything but whitespace follows the object (the reader throws on a second value: that is "more" too).</summary>
    private static bool HasMore(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.Read();
        }
        catch (JsonException)
        {
            return true;
        }
    }

    private static InferParameters ReadParameters(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "parameters", "an object");
        string? backend = null;
        bool causal = false, binaryOutput = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "backend": backend = ReadString(ref reader, "parameters.backend"); break;
                case "causal": causal = ReadBoolean(ref reader, "parameters.causal"); break;
                case "binary_data_output": binaryOutput = ReadBoolean(ref reader, "parameters.binary_data_output"); break;
                default: reader.Skip(); break;
            }
        }
        return new InferParameters(backend, causal, binaryOutput);
    }

    private static List<InferInput> ReadInputs(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ReadOnlySpan<byte> binary, ref int binaryUsed,
        RequestLimits limits)
    {
        Expect(ref reader, JsonTokenType.StartArray, "inputs", "an array");
        var inputs = new List<InferInput>();
        try
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var input = ReadInput(ref reader, json, binary, ref binaryUsed, inputs.Count, limits);
                if (inputs.Any(i => i.Name == input.Name))
                {
                    input.Dispose();
                    throw Malformed($"inputs[{inputs.Count}]: input '{ClientText.Shorten(input.Name)}' is sent twice");
                }
                inputs.Add(input);
            }
            return inputs;
        }
        catch
        {
            foreach (var input in inputs) input.Dispose();
            throw;
        }
    }

    private static InferInput ReadInput(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ReadOnlySpan<byte> binary, ref int binaryUsed,
        int index, RequestLimits limits)
    {
        var at = $"inputs[{index}]";
        Expect(ref reader, JsonTokenType.StartObject, at, "an object");
        string? name = null, datatype = null;
        int[]? shape = null;
        long? binarySize = null;
        Range data = default;
        var hasData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.GetString()!;
            reader.Read();
            switch (property)
            {
                case "name": name = ReadString(ref reader, $"{at}.name"); break;
                case "datatype": datatype = ReadString(ref reader, $"{at}.datatype"); break;
                case "shape": shape = ReadShape(ref reader, $"{at}.shape"); break;
                case "parameters": binarySize = ReadInputParameters(ref reader, $"{at}.parameters"); break;
                case "data":
                    // Parsed once the datatype is known, which may come after the data.
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    data = start..(int)reader.BytesConsumed;
                    hasData = true;
                    break;
                default:
                    throw Malformed($"{at} has unknown property '{ClientText.Shorten(property)}'; properties are name, shape, datatype, parameters, data");
            }
        }
        if (name is null) throw Malformed($"{at}.name is required");
        at = $"input '{ClientText.Shorten(name)}'";
        if (shape is null) throw Malformed($"{at}: shape is required");
        if (datatype is null) throw Malformed($"{at}: datatype is required ({Datatypes})");
        // Saturates rather than overflows: eight dimensions below 2^31 can pass the range of a long.
        var elements = 1L;
        foreach (var d in shape) elements = d == 0 || elements == 0 ? 0 : elements > long.MaxValue / d ? long.MaxValue : elements * d;
        if (elements > limits.MaxElements)
            throw new RequestFormatException(InferenceError.TooLarge(
                $"{at} has shape {Tensor.ShapeText(shape)}: {elements} elements, the limit is {limits.MaxElements} (Attention:Limits:MaxElements)"));
        if (binarySize is not null && hasData)
            throw Malformed($"{at} has both data and parameters.binary_data_size; send one");
        if (binarySize is null && !hasData)
            throw Malformed($"{at}: data is required (or parameters.binary_data_size with the binary tensor data extension)");
        var source = binarySize is { } size ? Source.Binary(TakeBinary(binary, ref binaryUsed, size, at)) : Source.Json(json[data]);
        return datatype switch
        {
            "FP32" => Input<float>(name, shape, source, JsonScalar.Number, at, limits),
            "INT64" => Input<long>(name, shape, source, JsonScalar.Integer, at, limits),
            "BOOL" => Input<bool>(name, shape, source, JsonScalar.Boolean, at, limits),
            _ => throw Malformed($"{at} has datatype '{ClientText.Shorten(datatype)}'; inputs are {Datatypes}"),
        };
    }

    /// <summary>Where an input's elements are: JSON text, or raw little-endian bytes.</summary>
    private readonly ref struct Source(ReadOnlySpan<byte> bytes, bool binary)
    {
        public readonly ReadOnlySpan<byte> Bytes = bytes;
        public readonly bool IsBinary = binary;
        public static Source Json(ReadOnlySpan<byte> json) => new(json, false);
        public static Source Binary(ReadOnlySpan<byte> raw) => new(raw, true);
    }

    private static InferInput Input<T>(string name, int[] shape, Source source, JsonScalar scalars, string at, RequestLimits limits)
        where T : unmanaged
    {
        var count = Tensor.ElementCount(shape);
        if (source.IsBinary)
        {
            var size = TensorElementTypes.SizeOf(TensorElementTypes.Of<T>());
            if (source.Bytes.Length != (long)count * size)
                throw Malformed($"{at}: binary_data_size is {source.Bytes.Length}; shape {Tensor.ShapeText(shape)} of {TensorElementTypes.Of<T>().ToWireName()} takes {(long)count * size} bytes");
            var tensor = Tensor.Rent<T>(shape);
            if (typeof(T) == typeof(bool))
            {
                // Any non-zero byte is true; a bool is normalised so that kernels can compare it.
                var bools = MemoryMarshal.Cast<T, bool>(tensor.Span);
                for (var i = 0; i < count; i++) bools[i] = source.Bytes[i] != 0;
            }
            else
            {
                source.Bytes.CopyTo(MemoryMarshal.AsBytes(tensor.Span));
            }
            return new InferInput(name, tensor, tensor.View);
        }
        var reader = new Utf8JsonReader(source.Bytes, new JsonReaderOptions { MaxDepth = limits.MaxJsonDepth });
        reader.Read();
        var parsed = TensorJsonReader.Read<T>(ref reader, $"{at}.data", scalars, int.MaxValue, limits);
        if (parsed.Length != count || (parsed.Rank > 1 && !parsed.Shape.AsSpan().SequenceEqual(shape)))
        {
            var got = parsed.Rank > 1 ? $"data of shape {Tensor.ShapeText(parsed.Shape)}" : $"{parsed.Length} elements";
            parsed.Dispose();
            throw Malformed($"{at} has {got}; shape {Tensor.ShapeText(shape)} takes {count} elements");
        }
        var shaped = parsed.MoveTo(shape);
        return new InferInput(name, shaped, shaped.View);
    }

    private static ReadOnlySpan<byte> TakeBinary(ReadOnlySpan<byte> binary, ref int used, long size, string at)
    {
        if (size > binary.Length - used)
            throw Malformed($"{at}: binary_data_size is {size} but only {binary.Length - used} bytes of binary data are left in the body" +
                            (binary.IsEmpty ? $"; send the JSON's length in the {HeaderLengthHeader} header" : ""));
        var slice = binary.Slice(used, (int)size);
        used += (int)size;
        return slice;
    }

    private static long? ReadInputParameters(ref Utf8JsonReader reader, string at)
    {
        Expect(ref reader, JsonTokenType.StartObject, at, "an object");
        long? size = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (name == "binary_data_size")
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var n) || n < 0)
                    throw Malformed($"{at}.binary_data_size must be a whole number of bytes");
                size = n;
            }
            else reader.Skip();
        }
        return size;
    }

    private static int[] ReadShape(ref Utf8JsonReader reader, string at)
    {
        Expect(ref reader, JsonTokenType.StartArray, at, "an array of dimensions");
        var shape = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var d) || d < 0)
                throw Malformed($"{at}[{shape.Count}] must be a dimension: a whole number ≥ 0");
            if (d > int.MaxValue || shape.Count == 8)
                throw new RequestFormatException(InferenceError.TooLarge($"{at} is larger than a tensor here may be (rank 8, dimensions below 2^31)"));
            shape.Add((int)d);
        }
        return shape.ToArray();
    }

    private static List<RequestedOutput> ReadOutputs(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray, "outputs", "an array");
        var outputs = new List<RequestedOutput>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var at = $"outputs[{outputs.Count}]";
            Expect(ref reader, JsonTokenType.StartObject, at, "an object");
            string? name = null;
            bool? binary = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString()!;
                reader.Read();
                switch (property)
                {
                    case "name": name = ReadString(ref reader, $"{at}.name"); break;
                    case "parameters":
                        Expect(ref reader, JsonTokenType.StartObject, $"{at}.parameters", "an object");
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var parameter = reader.GetString();
                            reader.Read();
                            if (parameter == "binary_data") binary = ReadBoolean(ref reader, $"{at}.parameters.binary_data");
                            else reader.Skip();
                        }
                        break;
                    default:
                        throw Malformed($"{at} has unknown property '{ClientText.Shorten(property)}'; properties are name, parameters");
                }
            }
            if (name is null) throw Malformed($"{at}.name is required");
            if (outputs.Any(o => o.Name == name)) throw Malformed($"{at}: output '{ClientText.Shorten(name)}' is asked for twice");
            outputs.Add(new RequestedOutput(name, binary));
        }
        return outputs;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string what, string expected)
    {
        if (reader.TokenType != token)
            throw Malformed($"{what} must be {expected}, got {TensorJsonReader.Describe(reader.TokenType)}");
    }

    private static string ReadString(ref Utf8JsonReader reader, string what)
    {
        Expect(ref reader, JsonTokenType.String, what, "a string");
        return reader.GetString()!;
    }

    private static bool ReadBoolean(ref Utf8JsonReader reader, string what) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Malformed($"{what} must be true or false, got {TensorJsonReader.Describe(reader.TokenType)}"),
    };

    private static void Once<T>(T? slot, string property)
    {
        if (slot is not null) throw Malformed($"{property} is given twice");
    }

    private static RequestFormatException Malformed(string detail) => new(InferenceError.BadRequest(detail));
}

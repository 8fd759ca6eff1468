using System.Runtime.InteropServices;
using AttentionService.Onnx.Protos;
using Google.Protobuf;

namespace AttentionService.Onnx;

/// <summary>Converts between float32 / int64 arrays and <see cref="TensorProto"/> initializers (little-endian raw_data).</summary>
public static class InitializerData
{
    public static TensorProto FromFloats(string name, ReadOnlySpan<float> data, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data));
        return tensor;
    }

    public static TensorProto FromInt64s(string name, ReadOnlySpan<long> data, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data));
        return tensor;
    }

    /// <summary>The values of a FLOAT initializer, from raw_data or float_data.</summary>
    public static float[] ToFloats(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"initializer '{tensor.Name}' has data type {tensor.DataType}, expected FLOAT (1)");
        var count = ElementCount(tensor);
        if (!tensor.RawData.IsEmpty)
        {
            if (tensor.RawData.Length != count * sizeof(float))
                throw new InvalidDataException($"initializer '{tensor.Name}' has {tensor.RawData.Length} bytes, expected {count * sizeof(float)}");
            return MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        }
        if (tensor.FloatData.Count != count)
            throw new InvalidDataException($"initializer '{tensor.Name}' has {tensor.FloatData.Count} floats, expected {count}");
        return [.. tensor.FloatData];
    }

    /// <summary>The values of an INT64 initializer, from raw_data or int64_data.</summary>
    public static long[] ToInt64s(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Int64)
            throw new InvalidDataException($"initializer '{tensor.Name}' has data type {tensor.DataType}, expected INT64 (7)");
        var count = ElementCount(tensor);
        if (!tensor.RawData.IsEmpty)
        {
            if (tensor.RawData.Length != count * sizeof(long))
                throw new InvalidDataException($"initializer '{tensor.Name}' has {tensor.RawData.Length} bytes, expected {count * sizeof(long)}");
            return MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray();
        }
        if (tensor.Int64Data.Count != count)
            throw new InvalidDataException($"initializer '{tensor.Name}' has {tensor.Int64Data.Count} int64s, expected {count}");
        return [.. tensor.Int64Data];
    }

    public static TensorProto FromBools(string name, ReadOnlySpan<bool> data, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Bool };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data));
        return tensor;
    }

    /// <summary>The values of a BOOL initializer, from raw_data (one byte each) or int32_data.</summary>
    public static bool[] ToBools(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Bool)
            throw new InvalidDataException($"initializer '{tensor.Name}' has data type {tensor.DataType}, expected BOOL (9)");
        var count = ElementCount(tensor);
        if (!tensor.RawData.IsEmpty)
        {
            if (tensor.RawData.Length != count)
                throw new InvalidDataException($"initializer '{tensor.Name}' has {tensor.RawData.Length} bytes, expected {count}");
            var values = new bool[count];
            for (var i = 0; i < values.Length; i++) values[i] = tensor.RawData[i] != 0;
            return values;
        }
        if (tensor.Int32Data.Count != count)
            throw new InvalidDataException($"initializer '{tensor.Name}' has {tensor.Int32Data.Count} booleans, expected {count}");
        return tensor.Int32Data.Select(v => v != 0).ToArray();
    }

    /// <summary>The dimensions of <paramref name="tensor"/> as ints; throws when one is negative or too large.</summary>
    public static int[] Shape(TensorProto tensor)
    {
        var shape = new int[tensor.Dims.Count];
        for (var i = 0; i < shape.Length; i++)
            shape[i] = tensor.Dims[i] is >= 0 and <= int.MaxValue
                ? (int)tensor.Dims[i]
                : throw new InvalidDataException($"tensor '{tensor.Name}' has dimension {tensor.Dims[i]}");
        return shape;
    }

    private static long ElementCount(TensorProto tensor)
    {
        long count = 1;
        foreach (var d in tensor.Dims)
        {
            if (d < 0) throw new InvalidDataException($"initializer '{tensor.Name}' has a negative dimension {d}");
            count = checked(count * d);
        }
        return count;
    }
}

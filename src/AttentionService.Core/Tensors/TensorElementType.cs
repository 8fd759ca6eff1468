namespace AttentionService.Core.Tensors;

/// <summary>The element types a tensor may hold; the values are ONNX's <c>TensorProto.DataType</c> numbers.</summary>
public enum TensorElementType
{
    Float32 = 1,
    Int64 = 7,
    Bool = 9,
}

/// <summary>The element type of a CLR type, and the names element types have on the wire.</summary>
public static class TensorElementTypes
{
    /// <summary>The element type of <typeparamref name="T"/>; throws for a type no tensor holds.</summary>
    public static TensorElementType Of<T>() where T : unmanaged => ElementTypeOf<T>.Value;

    /// <summary>The Open Inference Protocol (KServe v2) datatype: FP32, INT64, BOOL.</summary>
    public static string ToWireName(this TensorElementType type) => type switch
    {
        TensorElementType.Float32 => "FP32",
        TensorElementType.Int64 => "INT64",
        TensorElementType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Bytes one element takes.</summary>
    public static int SizeOf(TensorElementType type) => type switch
    {
        TensorElementType.Float32 => sizeof(float),
        TensorElementType.Int64 => sizeof(long),
        TensorElementType.Bool => sizeof(bool),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>The element type of an ONNX data type number, or null for one no tensor here holds.</summary>
    public static TensorElementType? FromOnnx(int dataType) =>
        Enum.IsDefined((TensorElementType)dataType) ? (TensorElementType)dataType : null;

    private static class ElementTypeOf<T> where T : unmanaged
    {
        public static readonly TensorElementType Value =
            typeof(T) == typeof(float) ? TensorElementType.Float32
            : typeof(T) == typeof(long) ? TensorElementType.Int64
            : typeof(T) == typeof(bool) ? TensorElementType.Bool
            : throw new NotSupportedException($"tensors hold float, long or bool, not {typeof(T).Name}");
    }
}

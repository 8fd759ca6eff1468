using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>Arrays and views of the element types the managed backend computes in, chosen at run time.</summary>
internal static class TypedArrays
{
    /// <summary>A new (garbage-collected, never pooled) array of <paramref name="length"/> elements.</summary>
    public static Array Allocate(TensorElementType type, int length) => type switch
    {
        TensorElementType.Float32 => new float[length],
        TensorElementType.Int64 => new long[length],
        TensorElementType.Bool => new bool[length],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>An array of at least <paramref name="length"/> elements from the shared pool of its type.</summary>
    public static Array Rent(TensorElementType type, int length) => type switch
    {
        TensorElementType.Float32 => TensorPool<float>.Shared.Rent(length),
        TensorElementType.Int64 => TensorPool<long>.Shared.Rent(length),
        TensorElementType.Bool => TensorPool<bool>.Shared.Rent(length),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static void Return(Array array)
    {
        switch (array)
        {
            case float[] floats: TensorPool<float>.Shared.Return(floats); break;
            case long[] longs: TensorPool<long>.Shared.Return(longs); break;
            case bool[] bools: TensorPool<bool>.Shared.Return(bools); break;
        }
    }

    public static TensorElementType TypeOf(Array array) => array switch
    {
        float[] => TensorElementType.Float32,
        long[] => TensorElementType.Int64,
        bool[] => TensorElementType.Bool,
        _ => throw new ArgumentException($"no tensor holds {array.GetType().Name}", nameof(array)),
    };

    /// <summary>A view of the first <paramref name="length"/> elements of <paramref name="array"/> as <paramref name="shape"/>.</summary>
    public static TensorView View(Array array, int length, int[] shape) => array switch
    {
        float[] floats => new TensorView<float>(floats, length, shape),
        long[] longs => new TensorView<long>(longs, length, shape),
        bool[] bools => new TensorView<bool>(bools, length, shape),
        _ => throw new ArgumentException($"no tensor holds {array.GetType().Name}", nameof(array)),
    };

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/>, which has its type and length.</summary>
    public static void Copy(TensorView source, TensorView destination)
    {
        switch (source.ElementType)
        {
            case TensorElementType.Float32: source.As<float>().Span.CopyTo(destination.As<float>().Span); break;
            case TensorElementType.Int64: source.As<long>().Span.CopyTo(destination.As<long>().Span); break;
            default: source.As<bool>().Span.CopyTo(destination.As<bool>().Span); break;
        }
    }

    /// <summary>
    /// The value of a tensor stored in the model (an initializer, a Constant's attribute) as a view over a new array,
    /// or an error naming it when its type is not one the managed backend computes in.
    /// </summary>
    public static TensorView FromProto(TensorProto tensor, string what)
    {
        var shape = InitializerData.Shape(tensor);
        Array data = (TensorProto.Types.DataType)tensor.DataType switch
        {
            TensorProto.Types.DataType.Float => InitializerData.ToFloats(tensor),
            TensorProto.Types.DataType.Int64 => InitializerData.ToInt64s(tensor),
            TensorProto.Types.DataType.Bool => InitializerData.ToBools(tensor),
            var other => throw new BackendUnavailableException(
                $"{what} '{tensor.Name}' holds {other} ({tensor.DataType}); the managed backend computes in FLOAT, INT64 and BOOL"),
        };
        var length = Tensor.ElementCount(shape);
        if (data.Length != length)
            throw new BackendUnavailableException($"{what} '{tensor.Name}' has {data.Length} values, its shape {Tensor.ShapeText(shape)} needs {length}");
        return View(data, length, shape);
    }
}

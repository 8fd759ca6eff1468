using System.Text.Json;
using AttentionService.Core.Tensors;

namespace AttentionService.Contracts.Json;

/// <summary>
/// Writes a tensor as nested JSON arrays following its shape, straight from its contiguous buffer, a range of rows
/// (innermost arrays) at a time: the caller may flush between ranges, so a large answer streams out instead of being
/// buffered whole. Writing rows [0, a), [a, b), … [c, <see cref="RowCount{T}"/>) gives the same bytes as writing all at
/// once. Float32 and int64 elements are written as numbers, bool elements as true and false.
/// </summary>
internal static class TensorJsonWriter
{
    /// <summary>The innermost arrays of <paramref name="tensor"/>: 1 for a vector, the product of the outer dims otherwise.</summary>
    public static int RowCount<T>(TensorView<T> tensor) where T : unmanaged => tensor.Rank == 0 || tensor.Shape[^1] == 0
        ? 0
        : tensor.Length / tensor.Shape[^1];

    public static void Write<T>(Utf8JsonWriter writer, TensorView<T> tensor) where T : unmanaged
    {
        var rows = RowCount(tensor);
        if (rows == 0)
            WriteEmpty(writer, tensor.Shape, 0);
        else
            WriteRows(writer, tensor, 0, rows);
    }

    /// <summary>
    /// Rows <paramref name="from"/> to <paramref name="to"/> (exclusive), with the brackets of every outer array that
    /// opens at <paramref name="from"/> or later and closes before <paramref name="to"/>.
    /// </summary>
    public static void WriteRows<T>(Utf8JsonWriter writer, TensorView<T> tensor, int from, int to) where T : unmanaged
    {
        var shape = tensor.Shape;
        var outer = shape.Length - 1;
        var width = shape[^1];
        var data = tensor.Span;
        for (var row = from; row < to; row++)
        {
            // An outer array at level k spans rowsIn(k) = shape[k] · … · shape[outer - 1] rows.
            var span = 1;
            var opens = 0;
            for (var k = outer - 1; k >= 0; k--)
            {
                span *= shape[k];
                if (row % span != 0) break;
                opens++;
            }
            for (var i = 0; i < opens; i++) writer.WriteStartArray();

            writer.WriteStartArray();
            WriteScalars(writer, data.Slice(row * width, width));
            writer.WriteEndArray();

            span = 1;
            for (var k = outer - 1; k >= 0; k--)
            {
                span *= shape[k];
                if ((row + 1) % span != 0) break;
                writer.WriteEndArray();
            }
        }
    }

    /// <summary>One row's elements; the type test is resolved when the method is compiled for each T.</summary>
    public static void WriteScalars<T>(Utf8JsonWriter writer, ReadOnlySpan<T> row) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            foreach (var x in System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(row)) writer.WriteNumberValue(x);
        else if (typeof(T) == typeof(long))
            foreach (var x in System.Runtime.InteropServices.MemoryMarshal.Cast<T, long>(row)) writer.WriteNumberValue(x);
        else if (typeof(T) == typeof(bool))
            foreach (var x in System.Runtime.InteropServices.MemoryMarshal.Cast<T, bool>(row)) writer.WriteBooleanValue(x);
        else
            throw new NotSupportedException($"tensors of {typeof(T).Name} are not written");
    }

    /// <summary>A tensor with a zero dimension: nested arrays down to the first empty one.</summary>
    private static void WriteEmpty(Utf8JsonWriter writer, int[] shape, int level)
    {
        writer.WriteStartArray();
        if (level < shape.Length - 1 && shape[level] > 0)
            for (var i = 0; i < shape[level]; i++)
                WriteEmpty(writer, shape, level + 1);
        writer.WriteEndArray();
    }
}

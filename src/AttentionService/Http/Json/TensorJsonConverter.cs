using System.Text.Json;
using System.Text.Json.Serialization;
using AttentionService.Core.Tensors;

namespace AttentionService.Http.Json;

/// <summary>Writes a tensor as nested JSON arrays following its shape, straight from its contiguous buffer.</summary>
public sealed class TensorJsonConverter : JsonConverter<Tensor>
{
    public override Tensor Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("tensors in requests are read by AttendRequestReader");

    public override void Write(Utf8JsonWriter writer, Tensor value, JsonSerializerOptions options) =>
        WriteLevel(writer, value.Span, value.Shape, 0);

    private static void WriteLevel(Utf8JsonWriter writer, ReadOnlySpan<float> data, int[] shape, int level)
    {
        writer.WriteStartArray();
        if (level == shape.Length - 1)
        {
            foreach (var x in data) writer.WriteNumberValue(x);
        }
        else
        {
            var stride = data.Length / shape[level];
            for (var i = 0; i < shape[level]; i++)
                WriteLevel(writer, data.Slice(i * stride, stride), shape, level + 1);
        }
        writer.WriteEndArray();
    }
}

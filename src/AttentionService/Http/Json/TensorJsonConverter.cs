using System.Text.Json;
using System.Text.Json.Serialization;
using AttentionService.Core.Tensors;

namespace AttentionService.Http.Json;

/// <summary>Writes a tensor as nested JSON arrays (<see cref="TensorJsonWriter"/>) wherever the serializer meets one.</summary>
public sealed class TensorJsonConverter : JsonConverter<Tensor>
{
    public override Tensor Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("tensors in requests are read by AttendRequestReader");

    public override void Write(Utf8JsonWriter writer, Tensor value, JsonSerializerOptions options) =>
        TensorJsonWriter.Write(writer, value);
}

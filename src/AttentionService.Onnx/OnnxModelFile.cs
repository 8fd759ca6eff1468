using AttentionService.Onnx.Protos;
using Google.Protobuf;

namespace AttentionService.Onnx;

/// <summary>Reads and writes ONNX model files (the protobuf <see cref="ModelProto"/>).</summary>
public static class OnnxModelFile
{
    /// <summary>Parses an ONNX model; throws <see cref="InvalidDataException"/> naming the problem when it is not one.</summary>
    public static ModelProto Parse(ReadOnlySpan<byte> bytes)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"not an ONNX model: {e.Message}", e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw new InvalidDataException("not an ONNX model: it has no graph nodes");
        return model;
    }

    /// <summary>The canonical bytes of a model: protobuf serialization is deterministic for a given message.</summary>
    public static byte[] ToBytes(ModelProto model) => model.ToByteArray();
}

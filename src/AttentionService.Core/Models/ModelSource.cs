using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.Core.Models;

/// <summary>A model file read once from the repository: its bytes, the parsed graph, and its signature.</summary>
public sealed record ModelSource(string Name, byte[] Bytes, ModelProto Proto, ModelSignature Signature)
{
    /// <summary>Reads and parses <paramref name="path"/>; throws IOException or InvalidDataException saying why it cannot.</summary>
    public static ModelSource Read(string name, string path) => Parse(name, File.ReadAllBytes(path));

    /// <summary>Parses a model file's <paramref name="bytes"/>; throws InvalidDataException saying why it cannot.</summary>
    public static ModelSource Parse(string name, byte[] bytes)
    {
        var proto = OnnxModelFile.Parse(bytes);
        return new ModelSource(name, bytes, proto, ModelSignature.FromOnnx(proto));
    }

    /// <summary>A model built in memory, with the bytes it would have as a file.</summary>
    public static ModelSource FromProto(string name, ModelProto proto) =>
        new(name, OnnxModelFile.ToBytes(proto), proto, ModelSignature.FromOnnx(proto));
}

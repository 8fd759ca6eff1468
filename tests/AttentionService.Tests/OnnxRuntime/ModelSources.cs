using AttentionService.Core.Models;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.OnnxRuntime;

/// <summary>Model sources built the way the host builds them: bytes read once, parsed, signature from the graph.</summary>
internal static class ModelSources
{
    public static ModelSource FromRepository(string name)
    {
        var path = RepoPaths.Model(name);
        var bytes = File.ReadAllBytes(path);
        var proto = OnnxModelFile.Parse(bytes);
        return new ModelSource(name, path, bytes, proto, ModelSignature.FromOnnx(proto));
    }

    public static ModelSource FromProto(string name, ModelProto proto) =>
        new(name, name + ".onnx", OnnxModelFile.ToBytes(proto), proto, ModelSignature.FromOnnx(proto));
}

using AttentionService.Core.Models;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.OnnxRuntime;

/// <summary>Model sources built the way the host builds them: bytes read once, parsed, signature from the graph.</summary>
internal static class ModelSources
{
    public static ModelSource FromRepository(string name) => ModelSource.Read(name, RepoPaths.Model(name));

    public static ModelSource FromProto(string name, ModelProto proto) => ModelSource.FromProto(name, proto);
}

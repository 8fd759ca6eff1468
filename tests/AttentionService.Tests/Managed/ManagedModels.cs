using AttentionService.Backends.Managed;
using AttentionService.Core.Models;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Managed;

/// <summary>Loads models (repository files or graphs built in a test) onto the managed backend.</summary>
public static class ManagedModels
{
    public static ModelSource Source(string name)
    {
        var path = RepoPaths.Model(name);
        var bytes = File.ReadAllBytes(path);
        var proto = OnnxModelFile.Parse(bytes);
        return new ModelSource(name, path, bytes, proto, ModelSignature.FromOnnx(proto));
    }

    public static ModelSource Source(ModelProto proto) =>
        new(proto.Graph.Name, "(built in test)", OnnxModelFile.ToBytes(proto), proto, ModelSignature.FromOnnx(proto));

    public static ManagedBackend Load(string name) => (ManagedBackend)new ManagedBackendFactory().Create(Source(name));

    public static ManagedBackend Load(ModelProto proto) => (ManagedBackend)new ManagedBackendFactory().Create(Source(proto));

    public static ModelProto ToModel(GraphBuilder graph) => graph.ToModel(OnnxVersions.Opset, "test graph", []);
}

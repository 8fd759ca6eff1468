using AttentionService.Backends.Managed;
using AttentionService.Core.Models;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Managed;

/// <summary>Loads models (repository files or graphs built in a test) onto the managed backend.</summary>
public static class ManagedModels
{
    public static ModelSource Source(string name) => ModelSource.Read(name, RepoPaths.Model(name));

    public static ModelSource Source(ModelProto proto) => ModelSource.FromProto(proto.Graph.Name, proto);

    public static ManagedBackend Load(string name) => (ManagedBackend)new ManagedBackendFactory().Create(Source(name));

    public static ManagedBackend Load(ModelProto proto) => (ManagedBackend)new ManagedBackendFactory().Create(Source(proto));

    public static ModelProto ToModel(GraphBuilder graph) => graph.ToModel(OnnxVersions.Opset, "test graph", []);
}

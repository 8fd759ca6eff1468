using AttentionService.Backends.Managed;
using AttentionService.Backends.OnnxRuntime;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AttentionService.Tests.DestinationRuns;

/// <summary>The real backends, created by their factories as the host creates them.</summary>
internal static class DestinationBackends
{
    public static readonly string[] BundledModels = ["luong-dot", "scaled-dot", "luong-general", "bahdanau", "multihead"];

    public static ModelSource Model(string name) => ModelSource.Read(name, RepoPaths.Model(name));

    public static IModelBackend Create(BackendKind kind, ModelSource model) => kind switch
    {
        BackendKind.Managed => new ManagedBackendFactory().Create(model),
        BackendKind.Onnx => new OnnxRuntimeBackendFactory(new OnnxRuntimeSettings { IntraOpNumThreads = 1 },
            NullLogger<OnnxRuntimeBackendFactory>.Instance).Create(model),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such backend"),
    };
}

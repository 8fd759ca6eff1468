using Microsoft.ML.OnnxRuntime;

namespace AttentionService.Benchmarks.Kernels;

/// <summary>
/// Session options as OnnxRuntimeBackend makes them (all graph optimisations, sequential execution, no memory
/// pattern, no spinning), so the raw OrtValue benchmarks time the same session the service runs.
/// </summary>
public static class OrtSessionOptions
{
    /// <summary><paramref name="intraOpThreads"/> = 0 lets ONNX Runtime pick (one per physical core: 2 here).</summary>
    public static SessionOptions Create(int intraOpThreads)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = intraOpThreads,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            EnableMemoryPattern = false,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return options;
    }
}

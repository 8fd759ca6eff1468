using Microsoft.ML.OnnxRuntime;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace AttentionService.Backends.OnnxRuntime;

/// <summary>
/// The one place ONNX Runtime session options are made from <see cref="OnnxRuntimeSettings"/>: the backend and the
/// benchmarks' raw ONNX Runtime runs use it, so both time the same session.
/// </summary>
public static class OnnxRuntimeSessionOptions
{
    /// <summary>New options (the caller disposes them) without an execution provider beyond the CPU.</summary>
    public static OrtSessionOptions Create(OnnxRuntimeSettings settings)
    {
        var options = new OrtSessionOptions
        {
            GraphOptimizationLevel = settings.GraphOptimizationLevel,
            IntraOpNumThreads = settings.IntraOpNumThreads,
            // Concurrent requests already keep the cores busy, so nodes run one after another unless asked otherwise.
            ExecutionMode = settings.InterOpNumThreads > 1 ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = settings.InterOpNumThreads,
            // Request shapes vary, and ONNX Runtime keeps one memory plan per distinct set of input shapes, unbounded.
            EnableMemoryPattern = false,
        };
        // Each session has its own intra-op pool; idle threads spinning for work would steal the cores that other
        // sessions and the HTTP server need, so they sleep instead (a few microseconds of latency per run).
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return options;
    }
}

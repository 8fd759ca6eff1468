using System.ComponentModel.DataAnnotations;
using Microsoft.ML.OnnxRuntime;

namespace AttentionService.Backends.OnnxRuntime;

/// <summary>
/// How the ONNX Runtime backend creates its sessions; bound by the host from <c>Attention:OnnxRuntime</c> and validated
/// at start by its source-generated validator.
/// </summary>
public sealed class OnnxRuntimeSettings
{
    /// <summary>The configuration section the host binds this from.</summary>
    public const string SectionName = "OnnxRuntime";

    /// <summary>Requested execution provider; a CUDA request that cannot be met falls back to CPU with a warning.</summary>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>CUDA device ordinal, used when <see cref="ExecutionProvider"/> is CUDA.</summary>
    [Range(0, int.MaxValue)]
    public int CudaDeviceId { get; set; }

    /// <summary>Threads one run may use inside an operator (e.g. a MatMul); 0 lets ONNX Runtime pick (one per physical core).</summary>
    [Range(0, int.MaxValue)]
    public int IntraOpNumThreads { get; set; }

    /// <summary>
    /// Threads that run independent graph nodes at the same time; 0 or 1 keeps sequential execution, larger values
    /// switch the session to parallel execution with that many threads.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int InterOpNumThreads { get; set; }

    /// <summary>
    /// ORT_ENABLE_ALL is ONNX Runtime's own default: it adds layout rewrites (for convolutions) on top of Extended's
    /// fusions, so for attention graphs it costs nothing and keeps us on the level ONNX Runtime tests and tunes for.
    /// </summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;
}

using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Core.Backends;

/// <summary>
/// One model loaded on one backend, shared by all requests (implementations are thread-safe). The core calls it
/// without knowing which backend it is.
/// </summary>
public interface IModelBackend : IDisposable
{
    BackendKind Kind { get; }

    /// <summary>What actually executes the model, for /models (e.g. "ONNX Runtime 1.31.1 on CPU" after a CUDA request fell back).</summary>
    string Description { get; }

    /// <summary>What the model takes and returns; the order of <see cref="Run"/>'s inputs and outputs.</summary>
    ModelSignature Signature { get; }

    /// <summary>
    /// Runs the model on <paramref name="inputs"/> (in <see cref="ModelSignature.Inputs"/> order, already validated
    /// against the signature) and writes each output (in <see cref="ModelSignature.Outputs"/> order) into the
    /// destination <paramref name="outputs"/> gives it for the output's shape, fully. Inputs are never written;
    /// destinations must not overlap the inputs or each other. Wrong counts or shapes are
    /// <see cref="ArgumentException"/>s, cancellation an <see cref="OperationCanceledException"/>. Once warmed up on the
    /// same shapes, a run into the same destinations allocates nothing.
    /// </summary>
    void Run(ReadOnlySpan<TensorView> inputs, RunOutputs outputs, CancellationToken cancellationToken);
}

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

    /// <summary>
    /// Runs the model. <paramref name="inputs"/> are in <see cref="Models.ModelSignature.Inputs"/> order and already
    /// validated against it; the result holds one tensor per output in <see cref="Models.ModelSignature.Outputs"/>
    /// order, owned (and disposed) by the caller.
    /// </summary>
    Tensor[] Run(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken);
}

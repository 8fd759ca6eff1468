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

    /// <summary>
    /// Runs the model into caller-owned <paramref name="outputs"/>, one per output in
    /// <see cref="Models.ModelSignature.Outputs"/> order, each already of the shape the run produces (see
    /// <see cref="Models.ModelSignature.TryResolveOutputShape"/>) and written fully. Outputs must not share buffers
    /// with the inputs or each other. Wrong counts or shapes are <see cref="ArgumentException"/>s. The bundled backends
    /// allocate nothing here once warmed up on the same shapes; this default runs <see cref="Run(IReadOnlyList{Tensor}, CancellationToken)"/>
    /// and copies.
    /// </summary>
    void Run(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, CancellationToken cancellationToken)
    {
        var results = Run(inputs, cancellationToken);
        try
        {
            var names = new string[results.Length];
            for (var o = 0; o < names.Length; o++) names[o] = o.ToString(System.Globalization.CultureInfo.InvariantCulture);
            OutputDestinations.CopyInto(results, outputs, names);
        }
        finally
        {
            foreach (var result in results) result.Dispose();
        }
    }
}

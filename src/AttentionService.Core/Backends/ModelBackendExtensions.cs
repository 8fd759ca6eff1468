using AttentionService.Core.Tensors;

namespace AttentionService.Core.Backends;

public static class ModelBackendExtensions
{
    /// <summary>
    /// Runs into pooled outputs rented as the backend sizes them: the way every caller (the host, warm-up, tests,
    /// benchmarks) runs a model. The caller owns and disposes the outputs.
    /// </summary>
    public static RentedOutputs RunRented(this IModelBackend backend, ReadOnlySpan<TensorView> inputs, CancellationToken cancellationToken)
    {
        var outputs = new RentedOutputs(backend.Signature.Outputs.Count);
        try
        {
            backend.Run(inputs, outputs, cancellationToken);
            return outputs;
        }
        catch
        {
            outputs.Dispose();
            throw;
        }
    }

    /// <summary>Runs into destinations the caller sized in advance; a backend that produces other shapes throws.</summary>
    public static void Run(this IModelBackend backend, ReadOnlySpan<TensorView> inputs, TensorView[] outputs, CancellationToken cancellationToken)
    {
        var names = backend.Signature.Outputs.Select(o => o.Name).ToArray();
        OutputDestinations.CheckCount(outputs, names);
        backend.Run(inputs, new FixedOutputs(outputs, names), cancellationToken);
    }
}

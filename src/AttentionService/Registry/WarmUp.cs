using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Registry;

/// <summary>
/// One small run per backend at load: the first real request then meets compiled code and initialised sessions, and
/// a backend that loads but cannot run is reported unavailable instead of failing requests later.
/// </summary>
public static class WarmUp
{
    /// <summary>Runs <paramref name="backend"/> on inputs of size 1 in every dynamic dimension, filled with ones.</summary>
    public static void Run(IModelBackend backend, ModelSignature signature)
    {
        var inputs = signature.Inputs
            .Select(spec => Tensor.Rent(spec.Shape.Select(d => d >= 0 ? (int)d : 1).ToArray()))
            .ToArray();
        try
        {
            foreach (var input in inputs) input.Span.Fill(1f);
            foreach (var output in backend.Run(inputs, CancellationToken.None)) output.Dispose();
        }
        finally
        {
            foreach (var input in inputs) input.Dispose();
        }
    }
}

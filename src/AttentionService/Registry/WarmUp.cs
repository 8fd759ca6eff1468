using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;

namespace AttentionService.Registry;

/// <summary>
/// One small run per backend at load, through the same call requests make (outputs sized from the signature, run into):
/// the first real request then meets compiled code and initialised sessions, and a backend that loads but cannot run
/// is reported unavailable instead of failing requests later.
/// </summary>
public static class WarmUp
{
    /// <summary>Runs <paramref name="backend"/> on inputs of size 1 in every dynamic dimension, filled with ones.</summary>
    public static void Run(IModelBackend backend)
    {
        var specs = backend.Signature.Inputs;
        var inputs = new Tensor<float>[specs.Count];
        var views = new TensorView[specs.Count];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i] = Tensor.Rent<float>(specs[i].Shape.Select(d => d >= 0 ? (int)d : 1).ToArray());
                inputs[i].Span.Fill(1f);
                views[i] = inputs[i];
            }
            foreach (var output in backend.RunRented(views, CancellationToken.None)) output.Dispose();
        }
        finally
        {
            foreach (var input in inputs) input?.Dispose();
        }
    }
}

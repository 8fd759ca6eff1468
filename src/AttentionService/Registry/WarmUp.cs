using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;

namespace AttentionService.Registry;

/// <summary>
/// One small run per backend at load, through the same call requests make (outputs rented as the backend sizes them):
/// the first real request then meets compiled code and initialised sessions, and a backend that loads but cannot run
/// is reported unavailable instead of failing requests later.
/// </summary>
public static class WarmUp
{
    /// <summary>
    /// Runs <paramref name="backend"/> on inputs of size 1 in every dynamic dimension: floats of one, int64 zeros (a
    /// valid index), booleans true.
    /// </summary>
    public static void Run(IModelBackend backend)
    {
        var specs = backend.Signature.Inputs;
        var views = new TensorView[specs.Count];
        for (var i = 0; i < views.Length; i++)
        {
            var shape = specs[i].Shape.Select(d => d >= 0 ? (int)d : 1).ToArray();
            var length = Tensor.ElementCount(shape);
            views[i] = specs[i].ElementType switch
            {
                TensorElementType.Float32 => Tensor.Wrap(Enumerable.Repeat(1f, length).ToArray(), shape),
                TensorElementType.Int64 => Tensor.Wrap(new long[length], shape),
                _ => Tensor.Wrap(Enumerable.Repeat(true, length).ToArray(), shape),
            };
        }
        backend.RunRented(views, CancellationToken.None).Dispose();
    }
}

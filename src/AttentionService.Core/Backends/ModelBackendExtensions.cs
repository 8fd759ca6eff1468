using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Core.Backends;

public static class ModelBackendExtensions
{
    /// <summary>
    /// Resolves the output shapes from the signature once, rents one output each, and runs into them: the way every
    /// caller (the host, warm-up, tests, benchmarks) runs a model. The caller owns and disposes the outputs.
    /// </summary>
    public static Tensor<float>[] RunRented(this IModelBackend backend, ReadOnlySpan<TensorView> inputs, CancellationToken cancellationToken)
    {
        var outputs = RentOutputs(backend.Signature, inputs);
        try
        {
            var views = new TensorView[outputs.Length];
            for (var o = 0; o < outputs.Length; o++) views[o] = outputs[o];
            backend.Run(inputs, views, cancellationToken);
            return outputs;
        }
        catch
        {
            foreach (var output in outputs) output.Dispose();
            throw;
        }
    }

    /// <summary>Pooled outputs of the shapes <paramref name="signature"/> resolves for <paramref name="inputs"/>.</summary>
    public static Tensor<float>[] RentOutputs(ModelSignature signature, ReadOnlySpan<TensorView> inputs)
    {
        var outputs = new Tensor<float>[signature.Outputs.Count];
        for (var o = 0; o < outputs.Length; o++)
        {
            var spec = signature.Outputs[o];
            var shape = new int[spec.Rank];
            if (!signature.TryResolveOutputShape(o, inputs, shape))
            {
                foreach (var rented in outputs.AsSpan(0, o)) rented.Dispose();
                throw new ArgumentException(
                    $"output '{spec.Name}' {spec.ShapeText} cannot be sized from inputs of shapes {ShapesText(inputs)}", nameof(inputs));
            }
            outputs[o] = Tensor.Rent<float>(shape);
        }
        return outputs;
    }

    private static string ShapesText(ReadOnlySpan<TensorView> inputs)
    {
        var texts = new string[inputs.Length];
        for (var i = 0; i < inputs.Length; i++) texts[i] = "[" + string.Join(", ", inputs[i].Shape) + "]";
        return string.Join(", ", texts);
    }
}

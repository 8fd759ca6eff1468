using AttentionService.Core.Models;
using AttentionService.Core.Tensors;

namespace AttentionService.Core.Backends;

/// <summary>
/// The footprint of a run when no plan can tell it (a model the managed backend refuses, so only ONNX Runtime knows
/// its intermediates): each output at the shape the signature resolves from the inputs, or, when it cannot, as large
/// as all the inputs together; and intermediates taking <see cref="IntermediateFactor"/> times the inputs and outputs.
/// </summary>
public static class SignatureFootprint
{
    /// <summary>Intermediates are taken to hold this many times the bytes of the inputs and outputs together.</summary>
    public const int IntermediateFactor = 2;

    public static RunFootprint Estimate(ModelSignature signature, ReadOnlySpan<TensorView> inputs)
    {
        long inputElements = 0, inputBytes = 0;
        foreach (var input in inputs)
        {
            inputElements += input.Length;
            inputBytes += (long)input.Length * TensorElementTypes.SizeOf(input.ElementType);
        }
        var outputs = new TensorSize[signature.Outputs.Count];
        Span<int> shape = stackalloc int[16];
        for (var o = 0; o < outputs.Length; o++)
        {
            var spec = signature.Outputs[o];
            var elements = inputElements;
            var exact = spec.Rank <= shape.Length && signature.TryResolveOutputShape(o, inputs, shape[..spec.Rank]);
            if (exact)
            {
                elements = 1;
                foreach (var d in shape[..spec.Rank]) elements *= d;
            }
            outputs[o] = TensorSize.Of(spec.Name, spec.ElementType, elements, exact);
        }
        var footprint = new RunFootprint(outputs, null, 0, Planned: false);
        return footprint with { IntermediateBytes = IntermediateFactor * (inputBytes + footprint.OutputBytes) };
    }
}

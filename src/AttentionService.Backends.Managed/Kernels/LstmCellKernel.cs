using System.Numerics.Tensors;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// One LSTM step's gate math for one batch row, with ONNX's default activations (f = Sigmoid, g = h = Tanh) and
/// optional peepholes. The cell input to h is not clipped; every gate's input is, when the node sets a clip (as ONNX
/// Runtime does).
/// </summary>
public static class LstmCellKernel
{
    /// <summary>
    /// Advances one row: <paramref name="gates"/> holds the pre-activations of the i, o, f, c blocks
    /// (<c>x·Wᵀ + h·Rᵀ + Wb + Rb</c>) and is overwritten; <paramref name="peepholes"/> is empty or the i, o, f peephole
    /// weights; <paramref name="cell"/> is the previous cell state on entry and the new one on return;
    /// <paramref name="hidden"/> receives the new hidden state.
    /// </summary>
    public static void Step(Span<float> gates, ReadOnlySpan<float> peepholes, Span<float> cell, Span<float> hidden, float? clip)
    {
        var size = cell.Length;
        if (gates.Length != 4 * size || hidden.Length != size || peepholes.Length is not 0 && peepholes.Length != 3 * size)
            throw new ArgumentException($"gates {gates.Length}, peepholes {peepholes.Length}, hidden {hidden.Length} do not fit hidden size {size} (4, 0 or 3, and 1 blocks)", nameof(gates));
        Span<float> input = gates[..size], output = gates.Slice(size, size), forget = gates.Slice(2 * size, size), candidate = gates.Slice(3 * size, size);
        if (peepholes.Length > 0)
        {
            TensorPrimitives.FusedMultiplyAdd(peepholes[..size], cell, input, input);
            TensorPrimitives.FusedMultiplyAdd(peepholes.Slice(2 * size, size), cell, forget, forget);
        }
        GateActivation.Sigmoid(input, clip);
        GateActivation.Sigmoid(forget, clip);
        GateActivation.Tanh(candidate, clip);
        TensorPrimitives.Multiply(forget, cell, cell);
        TensorPrimitives.FusedMultiplyAdd(input, candidate, cell, cell);
        // The output gate's peephole reads the new cell state.
        if (peepholes.Length > 0) TensorPrimitives.FusedMultiplyAdd(peepholes.Slice(size, size), cell, output, output);
        GateActivation.Sigmoid(output, clip);
        TensorPrimitives.Tanh(cell, hidden);
        TensorPrimitives.Multiply(hidden, output, hidden);
    }
}

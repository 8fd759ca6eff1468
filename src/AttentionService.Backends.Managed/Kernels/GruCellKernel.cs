using System.Numerics.Tensors;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// One GRU step's gate math for one batch row, with ONNX's default activations (f = Sigmoid, g = Tanh). A row's
/// <c>gates</c> are its three blocks z, r, h of <c>x·Wᵀ</c> plus biases, overwritten in turn by the gate values. Every
/// gate's input is clipped to [-clip, clip] first when the node sets a clip (ONNX Runtime clips the same inputs).
/// </summary>
public static class GruCellKernel
{
    /// <summary>
    /// <c>z = f(gates_z + recurrent_z)</c> and <c>r = f(gates_r + recurrent_r)</c> into the first two blocks of
    /// <paramref name="gates"/>, from <paramref name="recurrent"/> = <c>h·[Rz; Rr]ᵀ</c> (2 × hidden).
    /// </summary>
    public static void UpdateAndResetGates(Span<float> gates, ReadOnlySpan<float> recurrent, float? clip)
    {
        var zr = gates[..recurrent.Length];
        if (gates.Length * 2 != recurrent.Length * 3)
            throw new ArgumentException($"gates has {gates.Length} elements, recurrent {recurrent.Length}; they must be 3 and 2 blocks of one hidden size", nameof(recurrent));
        TensorPrimitives.Add(zr, recurrent, zr);
        GateActivation.Sigmoid(zr, clip);
    }

    /// <summary>
    /// linear_before_reset = 1: the candidate <c>g(gates_h + r ⊙ (recurrentH + rbh))</c> into the last block, where
    /// <paramref name="recurrentH"/> = <c>h·Rhᵀ</c> (overwritten) and <paramref name="rbh"/> is Rh's bias.
    /// </summary>
    public static void CandidateLinearBeforeReset(Span<float> gates, Span<float> recurrentH, ReadOnlySpan<float> rbh, float? clip)
    {
        var hidden = recurrentH.Length;
        if (gates.Length != 3 * hidden || rbh.Length != hidden)
            throw new ArgumentException($"gates has {gates.Length} elements and rbh {rbh.Length}; hidden size {hidden} needs {3 * hidden} and {hidden}", nameof(gates));
        TensorPrimitives.Add(recurrentH, rbh, recurrentH);
        var candidate = gates.Slice(2 * hidden, hidden);
        TensorPrimitives.FusedMultiplyAdd(gates.Slice(hidden, hidden), recurrentH, candidate, candidate);
        GateActivation.Tanh(candidate, clip);
    }

    /// <summary>
    /// linear_before_reset = 0: the candidate <c>g(gates_h + resetProjected)</c> into the last block, where
    /// <paramref name="resetProjected"/> = <c>(r ⊙ h)·Rhᵀ</c> (Rh's bias is already in gates_h).
    /// </summary>
    public static void Candidate(Span<float> gates, ReadOnlySpan<float> resetProjected, float? clip)
    {
        var hidden = resetProjected.Length;
        if (gates.Length != 3 * hidden)
            throw new ArgumentException($"gates has {gates.Length} elements; hidden size {hidden} needs {3 * hidden}", nameof(gates));
        var candidate = gates.Slice(2 * hidden, hidden);
        TensorPrimitives.Add(candidate, resetProjected, candidate);
        GateActivation.Tanh(candidate, clip);
    }

    /// <summary><c>reset = r ⊙ h</c>: the row that linear_before_reset = 0 multiplies by Rhᵀ.</summary>
    public static void ResetHidden(ReadOnlySpan<float> gates, ReadOnlySpan<float> hidden, Span<float> reset) =>
        TensorPrimitives.Multiply(gates.Slice(hidden.Length, hidden.Length), hidden, reset);

    /// <summary>The new state <c>h = (1 - z) ⊙ candidate + z ⊙ h</c>, in place.</summary>
    public static void Update(ReadOnlySpan<float> gates, Span<float> hidden)
    {
        var size = hidden.Length;
        if (gates.Length != 3 * size)
            throw new ArgumentException($"gates has {gates.Length} elements; hidden size {size} needs {3 * size}", nameof(gates));
        var candidate = gates.Slice(2 * size, size);
        // candidate + z ⊙ (h - candidate), the same value with one multiply.
        TensorPrimitives.Subtract(hidden, candidate, hidden);
        TensorPrimitives.FusedMultiplyAdd(hidden, gates[..size], candidate, hidden);
    }
}

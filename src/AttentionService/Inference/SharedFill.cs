using System.Numerics;
using AttentionService.Core.Tensors;

namespace AttentionService.Inference;

/// <summary>
/// One read-only buffer of a single value, shared by every request that needs a tensor of only that value (a mask that
/// masks nothing): grown, never shrunk, when a larger request comes, and bounded by Attention:Limits:MaxElements.
/// </summary>
public sealed class SharedFill<T>(T value) where T : unmanaged
{
    private T[] _buffer = [];

    /// <summary>A view of <paramref name="shape"/> over the shared buffer.</summary>
    public TensorView<T> View(int[] shape)
    {
        var length = Tensor.ElementCount(shape);
        var buffer = Volatile.Read(ref _buffer);
        if (buffer.Length < length)
        {
            // Runs never write their inputs, so every run may read the same buffer; a run still reading the smaller one keeps it alive.
            buffer = new T[(int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)length), int.MaxValue)];
            buffer.AsSpan().Fill(value);
            Volatile.Write(ref _buffer, buffer);
        }
        return new TensorView<T>(buffer, length, shape);
    }
}

using System.Numerics.Tensors;

namespace AttentionService.Backends.Managed.Kernels;

/// <summary>
/// A recurrent gate's activation in place, its input first clipped to [-clip, clip] when the node sets a cell clip
/// (ONNX: "clipping ... is applied to the input of activations").
/// </summary>
public static class GateActivation
{
    public static void Sigmoid(Span<float> x, float? clip)
    {
        if (clip is { } c) TensorPrimitives.Clamp(x, -c, c, x);
        TensorPrimitives.Sigmoid(x, x);
    }

    public static void Tanh(Span<float> x, float? clip)
    {
        if (clip is { } c) TensorPrimitives.Clamp(x, -c, c, x);
        TensorPrimitives.Tanh(x, x);
    }
}

using AttentionService.Core.Tensors;

namespace AttentionService.Tests.Support;

/// <summary>Tensors as the views a backend takes.</summary>
public static class TensorViews
{
    public static TensorView[] Views(this IEnumerable<Tensor<float>> tensors) => tensors.Select(t => (TensorView)t).ToArray();
}

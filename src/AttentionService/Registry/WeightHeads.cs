using System.Globalization;
using AttentionService.Core.Models;

namespace AttentionService.Registry;

/// <summary>
/// Whether a model answers its weights per head: its weights output has one axis more than its query input, the heads
/// axis after batch ([batch, heads, tq, tv] beside a query [batch, tq, d]; [batch, heads, tv] beside a decoder step's
/// [batch, hidden]).
/// </summary>
public static class WeightHeads
{
    /// <summary>The ONNX metadata key a model states its head count under.</summary>
    public const string MetadataKey = "attention.heads";

    /// <summary>Whether the weights output has a heads axis (axis 1).</summary>
    public static bool HasAxis(ModelSignature signature, ModelBinding binding) =>
        signature.Outputs[binding.Weights].Rank == signature.Inputs[binding.Query].Rank + 1;

    /// <summary>
    /// The number of heads of a model whose weights have a heads axis: the axis's fixed size, else the
    /// <c>attention.heads</c> metadata; null when the model has no heads axis or neither says.
    /// </summary>
    public static int? Count(ModelSignature signature, ModelBinding binding)
    {
        if (!HasAxis(signature, binding)) return null;
        var size = signature.Outputs[binding.Weights].Shape[1];
        if (size > 0) return (int)size;
        return signature.Metadata.TryGetValue(MetadataKey, out var text)
               && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var heads) && heads > 0
            ? heads
            : null;
    }
}

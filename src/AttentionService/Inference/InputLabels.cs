using AttentionService.Core.Models;
using AttentionService.Registry;

namespace AttentionService.Inference;

/// <summary>
/// Each input as the request named it, for messages only (built when one is needed): query, keys or "values (as
/// keys)", values, mask, or <c>inputs.&lt;key&gt;</c>.
/// </summary>
public readonly struct InputLabels(ModelBinding binding, string keysLabel, string?[]? extraKeys)
{
    public string this[int input] =>
        input == binding.Query ? AttentionTensorNames.Query
        : input == binding.Keys ? keysLabel
        : input == binding.Values ? AttentionTensorNames.Values
        : input == binding.Mask ? AttentionTensorNames.Mask
        : $"inputs.{extraKeys?[input] ?? binding.InputName(input)}";
}

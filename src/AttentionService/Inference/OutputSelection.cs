using AttentionService.Contracts;
using AttentionService.Registry;

namespace AttentionService.Inference;

/// <summary>
/// The graph outputs a request asks for in <c>outputs</c>, beyond context and weights, each found by alias or graph
/// name before the model runs, so a misspelt name costs no run.
/// </summary>
public static class OutputSelection
{
    /// <summary>Graph output indices in the request's order, or a 400 listing the names the model answers to.</summary>
    public static (int[]? Outputs, InferenceError? Error) Resolve(string modelName, ModelBinding binding, IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0) return ([], null);
        var outputs = new int[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            outputs[i] = binding.FindOutput(names[i]);
            if (outputs[i] < 0)
                return (null, InferenceError.BadRequest(
                    $"model '{modelName}' has no output '{ClientText.Shorten(names[i])}'; its outputs are {string.Join(", ", binding.OutputList())}"));
        }
        return (outputs, null);
    }
}

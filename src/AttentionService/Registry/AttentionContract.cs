using AttentionService.Core.Models;
using static AttentionService.Core.Models.AttentionTensorNames;

namespace AttentionService.Registry;

/// <summary>
/// What /attend needs of a model: inputs drawn from query, keys, values, mask (query and values required), outputs
/// context and weights, and output shapes that follow from the inputs'. Checked once at load so a request never meets
/// a model it cannot feed.
/// </summary>
public static class AttentionContract
{
    private static readonly string[] KnownInputs = [Query, Keys, Values, Mask];

    /// <summary>Why <paramref name="signature"/> cannot be served by /attend, or null when it can.</summary>
    public static string? Check(ModelSignature signature)
    {
        foreach (var input in signature.Inputs)
        {
            if (!KnownInputs.Contains(input.Name))
                return $"input '{input.Name}' is not one /attend supplies ({string.Join(", ", KnownInputs)})";
            if (input.Rank != 3)
                return $"input '{input.Name}' has rank {input.Rank}, /attend supplies rank 3 {input.ShapeText}";
        }
        foreach (var required in new[] { Query, Values })
            if (signature.InputIndex(required) < 0)
                return $"it has no input '{required}'; inputs are {string.Join(", ", signature.Inputs.Select(i => i.Name))}";
        foreach (var required in new[] { Context, Weights })
            if (!signature.Outputs.Any(o => o.Name == required))
                return $"it has no output '{required}'; outputs are {string.Join(", ", signature.Outputs.Select(o => o.Name))}";
        // Outputs are sized before a run from the inputs' shapes (every backend writes into caller-owned outputs).
        if (!signature.CanResolveOutputShapes)
            return $"the size of every output dimension must be fixed or named on an input; outputs are {string.Join(", ", signature.Outputs.Select(o => $"{o.Name} {o.ShapeText}"))}";
        return null;
    }
}

namespace AttentionService.Registry;

/// <summary>What a model's mask input says about each score; requests always send true = may attend, and the service converts.</summary>
public enum MaskMeaning
{
    /// <summary>true / 1 = may attend (Keras); the default.</summary>
    Attend,

    /// <summary>true / 1 = masked out (PyTorch <c>key_padding_mask</c> and boolean <c>attn_mask</c>).</summary>
    Ignore,

    /// <summary>A float added to the scores: 0 = may attend, -inf = masked out (PyTorch float <c>attn_mask</c>).</summary>
    Additive,
}

/// <summary>The names mask meanings have in model configs and in /models.</summary>
public static class MaskMeanings
{
    public static IReadOnlyList<string> All { get; } = ["attend", "ignore", "additive"];

    public static string ToWireName(this MaskMeaning meaning) => All[(int)meaning];

    public static MaskMeaning? Parse(string name)
    {
        for (var i = 0; i < All.Count; i++)
            if (All[i] == name) return (MaskMeaning)i;
        return null;
    }
}

namespace AttentionService.ModelBuilder.Graphs;

/// <summary>
/// How a model describes itself in the ONNX metadata_props. Every model writes the same keys in the same order, so
/// clients can rely on them and the bytes stay fixed.
/// </summary>
public sealed record AttentionMetadata(string Scoring, string Scale, int Heads, string D, string Formula, string Weights)
{
    public const string ScoringKey = "attention.scoring";
    public const string ScaleKey = "attention.scale";
    public const string HeadsKey = "attention.heads";
    public const string DKey = "attention.d";
    public const string FormulaKey = "attention.formula";
    public const string WeightsKey = "attention.weights";

    /// <summary>The value of <see cref="DKey"/> when the feature size is a symbolic dimension.</summary>
    public const string DynamicD = "dynamic";

    /// <summary>The value of <see cref="WeightsKey"/> for models without learned weights.</summary>
    public const string NoWeights = "none";

    public static string SeededWeights(ulong seed) => $"glorot-uniform, splitmix64 seed {seed}";

    public IEnumerable<KeyValuePair<string, string>> ToProps() =>
    [
        new(ScoringKey, Scoring),
        new(ScaleKey, Scale),
        new(HeadsKey, Heads.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new(DKey, D),
        new(FormulaKey, Formula),
        new(WeightsKey, Weights),
    ];
}

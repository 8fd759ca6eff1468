namespace AttentionService.Registry;

/// <summary>
/// The tensors the decode loop feeds and reads, by role. Encoder: tokens → values, state. Decoder step: token, query
/// (the previous state), values, mask → context, weights, state (the next query), logits.
/// </summary>
public static class Seq2SeqRoles
{
    public const string Tokens = "tokens";
    public const string Token = "token";
    public const string Query = "query";
    public const string Values = "values";
    public const string Mask = "mask";
    public const string State = "state";
    public const string Context = "context";
    public const string Weights = "weights";
    public const string Logits = "logits";

    /// <summary>A graph's roles: its inputs' and its outputs', in the order the loop uses them.</summary>
    public sealed record GraphRoles(string Name, string[] Inputs, string[] Outputs);

    public static GraphRoles Encoder { get; } = new("encoder", [Tokens], [Values, State]);

    public static GraphRoles Decoder { get; } = new("decoder", [Token, Query, Values, Mask], [Context, Weights, State, Logits]);
}

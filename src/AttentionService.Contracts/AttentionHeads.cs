namespace AttentionService.Contracts;

/// <summary>How a multi-head model's weights are answered; on the wire <c>"each"</c> or <c>"average"</c>, any case.</summary>
public enum AttentionHeads
{
    /// <summary>Per head, as the model computes them: <c>[heads][tq][tv]</c> or <c>[batch][heads][tq][tv]</c>.</summary>
    Each,

    /// <summary>The mean over the heads axis: <c>[tq][tv]</c> or <c>[batch][tq][tv]</c>.</summary>
    Average,
}

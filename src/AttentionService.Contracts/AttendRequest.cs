using AttentionService.Core.Tensors;

namespace AttentionService.Contracts;

/// <summary>
/// The body of <c>POST /attend</c>. Tensors are nested JSON arrays: <c>query</c> <c>[tq][d]</c> or
/// <c>[batch][tq][d]</c>; <c>keys</c> and <c>values</c> <c>[tv][d]</c> or <c>[batch][tv][d]</c> (same rank as query).
/// </summary>
public sealed class AttendRequest : IDisposable
{
    /// <summary>Model name (see GET /models); default <c>Attention:DefaultModel</c>.</summary>
    public string? Model { get; init; }

    /// <summary>Force a backend: <c>onnx</c> or <c>managed</c>. Default: the configured policy.</summary>
    public string? Backend { get; init; }

    /// <summary>Queries, <c>[tq][d]</c> or <c>[batch][tq][d]</c>.</summary>
    public required Tensor<float> Query { get; init; }

    /// <summary>Keys scored against the queries, <c>[tv][dk]</c> or batched; default: the values.</summary>
    public Tensor<float>? Keys { get; init; }

    /// <summary>Values averaged by the weights, <c>[tv][dv]</c> or <c>[batch][tv][dv]</c>.</summary>
    public required Tensor<float> Values { get; init; }

    /// <summary>
    /// Booleans (held as 0/1, the models' mask type), true = may attend: <c>[tv]</c> / <c>[batch][tv]</c> (padding, one rank below query) or
    /// <c>[tq][tv]</c> / <c>[batch][tq][tv]</c> (same rank as query).
    /// </summary>
    public Tensor<float>? Mask { get; init; }

    /// <summary>Query position i attends only to positions j &lt;= i.</summary>
    public bool Causal { get; init; }

    /// <summary>
    /// The model's graph inputs beyond query, keys, values and mask (a token id, a previous cell state), keyed by the
    /// alias its config gives them or by graph input name: nested arrays of numbers (FP32), integers (INT64) or
    /// booleans (BOOL), as the graph input takes, in the graph input's rank (batch axis included).
    /// </summary>
    public IReadOnlyDictionary<string, JsonTensor>? Inputs { get; init; }

    /// <summary>
    /// Outputs to return beyond context and weights (e.g. <c>["state", "logits"]</c>), by the alias the model's config
    /// gives them or by graph output name; the answer carries them under <c>outputs</c>.
    /// </summary>
    public IReadOnlyList<string>? Outputs { get; init; }

    /// <summary>
    /// Labels for the positions, echoed in the answer: <c>query</c> one per query position (tq), <c>keys</c> one per
    /// key position (tv), the same for every batch item; either may be left out.
    /// </summary>
    public TokenLabels? Tokens { get; init; }

    /// <summary>
    /// A multi-head model's weights per head (<c>each</c>, the default) or averaged over the heads (<c>average</c>:
    /// <c>[tq][tv]</c> or <c>[batch][tq][tv]</c>). <c>average</c> on a model whose weights have no heads axis is a 400.
    /// </summary>
    public AttentionHeads Heads { get; init; }

    /// <summary>
    /// Which of <c>context</c> and <c>weights</c> the answer carries; default both. The part left out is not written.
    /// </summary>
    public AnswerParts Include { get; init; } = AnswerParts.All;

    public void Dispose()
    {
        Query.Dispose();
        Keys?.Dispose();
        Values.Dispose();
        Mask?.Dispose();
    }
}

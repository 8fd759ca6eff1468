using AttentionService.Core.Tensors;

namespace AttentionService.HttpBaseline;

/// <summary>
/// Outputs shaped like attention's, context <c>[.., tq, dv]</c> and weights <c>[.., tq, tv]</c>, filled in one cheap
/// pass instead of computed: context echoes the values' scale and weights are pseudo-random around 1/tv, a softmax row's
/// mean, so the numbers written have as many digits as real ones (formatting cost depends on it).
/// </summary>
internal static class EchoAttention
{
    public static (Tensor<float> Context, Tensor<float> Weights) Run(Tensor<float> query, Tensor<float> values)
    {
        var batched = query.Rank == 3;
        var tq = query.Shape[^2];
        int tv = values.Shape[^2], dv = values.Shape[^1];
        var batch = batched ? query.Shape[0] : 1;
        var context = Tensor.Rent<float>(batched ? [batch, tq, dv] : [tq, dv]);
        var weights = Tensor.Rent<float>(batched ? [batch, tq, tv] : [tq, tv]);

        var v = values.Span;
        var c = context.Span;
        for (var i = 0; i < c.Length; i++) c[i] = v[i % v.Length] * 0.318f;
        var w = weights.Span;
        var scale = 2f / tv / 16777217f;
        var state = 2463534242u;
        for (var i = 0; i < w.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            w[i] = ((state >> 8) + 1) * scale;
        }
        return (context, weights);
    }
}

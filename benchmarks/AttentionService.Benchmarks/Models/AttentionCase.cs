namespace AttentionService.Benchmarks.Models;

/// <summary>
/// One model at one shape (batch, tq, tv, d), with the floating-point work its matrix multiplies do. Shown by
/// BenchmarkDotNet as its <see cref="ToString"/>, e.g. <c>luong-dot 1x1x32x64</c>.
/// </summary>
public sealed record AttentionCase(string Model, int Batch, int Tq, int Tv, int D)
{
    /// <summary>Heads of multihead (4 heads of 16 over d = 64), see docs/models.md.</summary>
    private const int Heads = 4;

    /// <summary>
    /// Multiply-add work counted as 2 flops each, matrix multiplies only: scores q·kᵀ (b·tq·tv·d) and context
    /// weights·v (b·tq·tv·d), plus the learned projections of luong-general, bahdanau (including its score vector v)
    /// and multihead. Softmax, masking and tanh are not counted.
    /// </summary>
    public long Flops
    {
        get
        {
            long b = Batch, tq = Tq, tv = Tv, d = D;
            var attention = 2 * 2 * b * tq * tv * d;
            return Model switch
            {
                "luong-dot" or "scaled-dot" => attention,
                "luong-general" => attention + 2 * b * tq * d * d,
                // q·W1, k·W2, then the [b, tq, tv, h]·v projection to scores, then weights·values.
                "bahdanau" => 2 * b * (tq + tv) * d * d + 2 * b * tq * tv * d + 2 * b * tq * tv * d,
                // Four projections (q; k, v; output) and per-head attention, whose heads together span d.
                "multihead" => 2 * b * (2 * tq + 2 * tv) * d * d + attention,
                _ => throw new ArgumentOutOfRangeException(nameof(Model), Model, "no flop count for this model"),
            };
        }
    }

    /// <summary>The <c>[batch, tq, tv]</c> weights output's element count, times the heads for multihead.</summary>
    public int WeightsLength => Batch * Tq * Tv * (Model == "multihead" ? Heads : 1);

    public override string ToString() => $"{Model} {Batch}x{Tq}x{Tv}x{D}";

    /// <summary>The shapes: a decoder step, a short block, a batched wide block, a long sequence; multihead at 128.</summary>
    public static IEnumerable<AttentionCase> Standard()
    {
        yield return new("luong-dot", 1, 1, 32, 64);
        yield return new("luong-dot", 1, 32, 32, 64);
        yield return new("luong-dot", 8, 64, 128, 128);
        yield return new("luong-dot", 1, 512, 512, 64);
        yield return new("multihead", 1, 128, 128, 64);
    }

    /// <summary>The other models, whose learned weights fix d = 64, at the decoder step and a 128 block.</summary>
    public static IEnumerable<AttentionCase> OtherModels()
    {
        foreach (var model in new[] { "scaled-dot", "luong-general", "bahdanau", "multihead" })
        {
            yield return new(model, 1, 1, 32, 64);
            yield return new(model, 1, 128, 128, 64);
        }
    }
}

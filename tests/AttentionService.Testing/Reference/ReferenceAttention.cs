namespace AttentionService.Tests.Reference;

/// <summary>
/// An independent reference for dot-product attention: plain loops in double precision over jagged arrays,
/// sharing no code with either backend. Tolerances in tests are stated against this.
/// </summary>
public static class ReferenceAttention
{
    /// <summary>
    /// <c>softmax(scale · q kᵀ) v</c> for one batch item; <paramref name="mask"/>[i][j] false excludes key j for query i.
    /// Returns (context [tq][dv], weights [tq][tv]).
    /// </summary>
    public static (double[][] Context, double[][] Weights) DotProduct(
        float[][] query, float[][] keys, float[][] values, double scale = 1.0, bool[][]? mask = null)
    {
        int tq = query.Length, tv = keys.Length, dv = values[0].Length;
        var weights = new double[tq][];
        var context = new double[tq][];
        for (var i = 0; i < tq; i++)
        {
            var scores = new double[tv];
            var max = double.NegativeInfinity;
            for (var j = 0; j < tv; j++)
            {
                if (mask is not null && !mask[i][j]) { scores[j] = double.NegativeInfinity; continue; }
                double s = 0;
                for (var k = 0; k < query[i].Length; k++) s += (double)query[i][k] * keys[j][k];
                scores[j] = s * scale;
                max = Math.Max(max, scores[j]);
            }
            double sum = 0;
            for (var j = 0; j < tv; j++) sum += scores[j] = double.IsNegativeInfinity(scores[j]) ? 0 : Math.Exp(scores[j] - max);
            weights[i] = scores.Select(e => e / sum).ToArray();
            context[i] = new double[dv];
            for (var j = 0; j < tv; j++)
                for (var k = 0; k < dv; k++)
                    context[i][k] += weights[i][j] * values[j][k];
        }
        return (context, weights);
    }

    /// <summary>Random floats in [-1, 1) from a fixed seed, shaped [rows][cols].</summary>
    public static float[][] Random(Random rng, int rows, int cols) =>
        Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, cols).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToArray();
}

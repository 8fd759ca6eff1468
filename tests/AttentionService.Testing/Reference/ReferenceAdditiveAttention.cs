namespace AttentionService.Tests.Reference;

/// <summary>
/// Bahdanau additive attention for one batch item, in double precision:
/// <c>score[i][j] = Σ_h v[h] · tanh((q W₁)[i][h] + (k W₂)[j][h])</c>, <c>context = softmax(score) values</c>.
/// </summary>
public static class ReferenceAdditiveAttention
{
    /// <summary>Returns (context [tq][dv], weights [tq][tv]); W₁ is [dq][h], W₂ is [dk][h], v is [h][1].</summary>
    public static (double[][] Context, double[][] Weights) Additive(
        float[][] query, float[][] keys, float[][] values, double[][] w1, double[][] w2, double[][] v, bool[][]? mask = null)
    {
        var queryHidden = ReferenceMath.MatMul(ReferenceMath.ToDouble(query), w1);
        var keysHidden = ReferenceMath.MatMul(ReferenceMath.ToDouble(keys), w2);
        var scores = new double[query.Length][];
        for (var i = 0; i < query.Length; i++)
        {
            scores[i] = new double[keys.Length];
            for (var j = 0; j < keys.Length; j++)
                for (var h = 0; h < v.Length; h++)
                    scores[i][j] += v[h][0] * Math.Tanh(queryHidden[i][h] + keysHidden[j][h]);
        }
        return ReferenceMath.Attend(scores, ReferenceMath.ToDouble(values), mask);
    }
}

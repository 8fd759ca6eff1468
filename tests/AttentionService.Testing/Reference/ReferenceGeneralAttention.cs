namespace AttentionService.Tests.Reference;

/// <summary>Luong "general" attention for one batch item: <c>softmax(q W kᵀ) v</c>, in double precision.</summary>
public static class ReferenceGeneralAttention
{
    /// <summary>Returns (context [tq][dv], weights [tq][tv]); <paramref name="w"/> is [dq][dk].</summary>
    public static (double[][] Context, double[][] Weights) General(
        float[][] query, float[][] keys, float[][] values, double[][] w, bool[][]? mask = null)
    {
        var queryW = ReferenceMath.MatMul(ReferenceMath.ToDouble(query), w);
        var scores = new double[query.Length][];
        for (var i = 0; i < query.Length; i++)
        {
            scores[i] = new double[keys.Length];
            for (var j = 0; j < keys.Length; j++)
                for (var k = 0; k < keys[j].Length; k++)
                    scores[i][j] += queryW[i][k] * keys[j][k];
        }
        return ReferenceMath.Attend(scores, ReferenceMath.ToDouble(values), mask);
    }
}

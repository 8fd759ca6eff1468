namespace AttentionService.Tests.Reference;

/// <summary>
/// Multi-head attention for one batch item, in double precision: project with Wq, Wk, Wv; head h takes feature
/// columns [h·dh, (h+1)·dh); per head <c>softmax(q_h k_hᵀ / √dh) v_h</c>; heads concatenated and projected by Wo.
/// </summary>
public static class ReferenceMultiHeadAttention
{
    /// <summary>Returns (context [tq][d], weights [heads][tq][tv]); every projection is [d][d].</summary>
    public static (double[][] Context, double[][][] Weights) MultiHead(
        float[][] query, float[][] keys, float[][] values,
        double[][] wq, double[][] wk, double[][] wv, double[][] wo, int heads, bool[][]? mask = null)
    {
        var q = ReferenceMath.MatMul(ReferenceMath.ToDouble(query), wq);
        var k = ReferenceMath.MatMul(ReferenceMath.ToDouble(keys), wk);
        var v = ReferenceMath.MatMul(ReferenceMath.ToDouble(values), wv);
        int d = wq[0].Length, dh = d / heads, tq = query.Length, tv = keys.Length;
        var scale = 1 / Math.Sqrt(dh);
        var concatenated = new double[tq][];
        for (var i = 0; i < tq; i++) concatenated[i] = new double[d];
        var weights = new double[heads][][];
        for (var h = 0; h < heads; h++)
        {
            var offset = h * dh;
            var scores = new double[tq][];
            for (var i = 0; i < tq; i++)
            {
                scores[i] = new double[tv];
                for (var j = 0; j < tv; j++)
                {
                    double s = 0;
                    for (var c = 0; c < dh; c++) s += q[i][offset + c] * k[j][offset + c];
                    scores[i][j] = s * scale;
                }
            }
            var headValues = v.Select(row => row[offset..(offset + dh)]).ToArray();
            var (headContext, headWeights) = ReferenceMath.Attend(scores, headValues, mask);
            weights[h] = headWeights;
            for (var i = 0; i < tq; i++)
                for (var c = 0; c < dh; c++)
                    concatenated[i][offset + c] = headContext[i][c];
        }
        return (ReferenceMath.MatMul(concatenated, wo), weights);
    }
}

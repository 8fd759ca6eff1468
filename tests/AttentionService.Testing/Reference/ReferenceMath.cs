namespace AttentionService.Tests.Reference;

/// <summary>
/// The plain-loop double-precision pieces the model references are built from: matrix products over jagged arrays and
/// a masked softmax. Shares no code with the model builder or either backend.
/// </summary>
public static class ReferenceMath
{
    public static double[][] ToDouble(float[][] rows) => rows.Select(r => r.Select(x => (double)x).ToArray()).ToArray();

    /// <summary>A row-major float buffer (such as an ONNX initializer) as [rows][cols] doubles.</summary>
    public static double[][] Matrix(float[] data, int rows, int cols)
    {
        if (data.Length != rows * cols)
            throw new ArgumentException($"matrix data has {data.Length} values, expected {rows} x {cols} = {rows * cols}");
        var m = new double[rows][];
        for (var i = 0; i < rows; i++)
        {
            m[i] = new double[cols];
            for (var j = 0; j < cols; j++) m[i][j] = data[i * cols + j];
        }
        return m;
    }

    /// <summary>[n][k] · [k][m] = [n][m].</summary>
    public static double[][] MatMul(double[][] a, double[][] b)
    {
        int n = a.Length, k = b.Length, m = b[0].Length;
        var c = new double[n][];
        for (var i = 0; i < n; i++)
        {
            if (a[i].Length != k) throw new ArgumentException($"row {i} has {a[i].Length} columns, expected {k}");
            c[i] = new double[m];
            for (var j = 0; j < m; j++)
            {
                double s = 0;
                for (var p = 0; p < k; p++) s += a[i][p] * b[p][j];
                c[i][j] = s;
            }
        }
        return c;
    }

    /// <summary>
    /// For each query row i: weights[i] = softmax of scores[i] over the positions mask[i] allows (the others get exactly
    /// 0); context[i] = Σ_j weights[i][j] · values[j].
    /// </summary>
    public static (double[][] Context, double[][] Weights) Attend(double[][] scores, double[][] values, bool[][]? mask)
    {
        int tq = scores.Length, tv = values.Length, dv = values[0].Length;
        var weights = new double[tq][];
        var context = new double[tq][];
        for (var i = 0; i < tq; i++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < tv; j++)
                if (mask is null || mask[i][j]) max = Math.Max(max, scores[i][j]);
            if (double.IsNegativeInfinity(max)) throw new ArgumentException($"row {i} has every position masked");
            weights[i] = new double[tv];
            double sum = 0;
            for (var j = 0; j < tv; j++)
                if (mask is null || mask[i][j]) sum += weights[i][j] = Math.Exp(scores[i][j] - max);
            for (var j = 0; j < tv; j++) weights[i][j] /= sum;
            context[i] = new double[dv];
            for (var j = 0; j < tv; j++)
                for (var k = 0; k < dv; k++)
                    context[i][k] += weights[i][j] * values[j][k];
        }
        return (context, weights);
    }
}

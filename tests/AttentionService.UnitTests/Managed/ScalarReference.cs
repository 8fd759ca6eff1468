namespace AttentionService.Tests.Managed;

/// <summary>
/// Scalar twins of the managed kernels: plain index arithmetic in double precision, sharing no code with the
/// backend, so each vectorized kernel is checked against an independent statement of what it computes.
/// </summary>
public static class ScalarReference
{
    public static float[] Random(int seed, int length, float low = -1f, float high = 1f)
    {
        var rng = new Random(seed);
        var data = new float[length];
        for (var i = 0; i < length; i++) data[i] = (float)(low + rng.NextDouble() * (high - low));
        return data;
    }

    public static double[] Gemm(float[] a, float[] b, int m, int k, int n, bool bTransposed = false)
    {
        var c = new double[m * n];
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var p = 0; p < k; p++)
                    sum += (double)a[i * k + p] * (bTransposed ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = sum;
            }
        return c;
    }

    /// <summary>Softmax along <paramref name="axisLength"/> of <c>[outer, axisLength, inner]</c>.</summary>
    public static double[] Softmax(float[] x, int outer, int axisLength, int inner)
    {
        var y = new double[x.Length];
        for (var o = 0; o < outer; o++)
            for (var i = 0; i < inner; i++)
            {
                int At(int a) => (o * axisLength + a) * inner + i;
                var max = double.NegativeInfinity;
                for (var a = 0; a < axisLength; a++) max = Math.Max(max, x[At(a)]);
                double sum = 0;
                for (var a = 0; a < axisLength; a++) sum += y[At(a)] = Math.Exp(x[At(a)] - max);
                for (var a = 0; a < axisLength; a++) y[At(a)] /= sum;
            }
        return y;
    }

    public static int[] Strides(int[] shape)
    {
        var strides = new int[shape.Length];
        var stride = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= shape[i];
        }
        return strides;
    }

    public static int Count(int[] shape) => shape.Aggregate(1, (p, d) => p * d);

    /// <summary>The multi-index of flat position <paramref name="flat"/> in <paramref name="shape"/>.</summary>
    public static int[] Unravel(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            index[i] = flat % shape[i];
            flat /= shape[i];
        }
        return index;
    }

    public static float[] Transpose(float[] x, int[] shape, int[] perm)
    {
        var outShape = perm.Select(p => shape[p]).ToArray();
        var inStrides = Strides(shape);
        var y = new float[x.Length];
        for (var flat = 0; flat < y.Length; flat++)
        {
            var index = Unravel(flat, outShape);
            var source = 0;
            for (var i = 0; i < perm.Length; i++) source += index[i] * inStrides[perm[i]];
            y[flat] = x[source];
        }
        return y;
    }

    /// <summary>The element of an input of <paramref name="shape"/> that broadcasts to output index <paramref name="outIndex"/>.</summary>
    public static int BroadcastSource(int[] outIndex, int[] shape)
    {
        var strides = Strides(shape);
        var offset = 0;
        for (var i = 1; i <= shape.Length; i++)
            if (shape[^i] != 1) offset += outIndex[^i] * strides[^i];
        return offset;
    }

    public static float[] Binary(float[] x, int[] xShape, float[] y, int[] yShape, int[] outShape, Func<float, float, float> op)
    {
        var result = new float[Count(outShape)];
        for (var flat = 0; flat < result.Length; flat++)
        {
            var index = Unravel(flat, outShape);
            result[flat] = op(x[BroadcastSource(index, xShape)], y[BroadcastSource(index, yShape)]);
        }
        return result;
    }

    public static float[] Where(float[] c, int[] cShape, float[] x, int[] xShape, float[] y, int[] yShape, int[] outShape)
    {
        var result = new float[Count(outShape)];
        for (var flat = 0; flat < result.Length; flat++)
        {
            var index = Unravel(flat, outShape);
            result[flat] = c[BroadcastSource(index, cShape)] != 0 ? x[BroadcastSource(index, xShape)] : y[BroadcastSource(index, yShape)];
        }
        return result;
    }
}

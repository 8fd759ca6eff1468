namespace AttentionService.ModelBuilder.Weights;

/// <summary>
/// Xavier/Glorot-uniform initialisation: U(-limit, limit) with limit = sqrt(6 / (fanIn + fanOut)), which keeps
/// activations near unit variance, so the scores stay in the range where softmax is not saturated.
/// </summary>
public static class GlorotUniform
{
    public static double Limit(int fanIn, int fanOut) => Math.Sqrt(6.0 / (fanIn + fanOut));

    /// <summary>A [fanIn, fanOut] matrix, row-major, drawn in order from <paramref name="random"/>.</summary>
    public static float[] Matrix(SplitMix64 random, int fanIn, int fanOut)
    {
        var limit = Limit(fanIn, fanOut);
        var values = new float[fanIn * fanOut];
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)((2 * random.NextDouble() - 1) * limit);
        return values;
    }
}

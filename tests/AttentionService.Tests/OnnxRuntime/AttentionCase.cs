using AttentionService.Core.Tensors;
using AttentionService.Tests.Reference;

namespace AttentionService.Tests.OnnxRuntime;

/// <summary>
/// Random inputs for luong-dot (query [batch, tq, d], values [batch, tv, d]) from a fixed seed, and the reference
/// outputs (context [batch, tq, d], weights [batch, tq, tv]) computed by <see cref="ReferenceAttention"/>.
/// </summary>
internal sealed class AttentionCase
{
    private readonly float[][][] _query;
    private readonly float[][][] _values;

    public AttentionCase(int batch, int tq, int tv, int d, int seed)
    {
        var rng = new Random(seed);
        _query = Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, tq, d)).ToArray();
        _values = Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, tv, d)).ToArray();
        (Batch, Tq, Tv, D) = (batch, tq, tv, d);
    }

    public int Batch { get; }
    public int Tq { get; }
    public int Tv { get; }
    public int D { get; }

    /// <summary>Fresh pooled input tensors (query, values) holding this case's numbers; the caller disposes them.</summary>
    public Tensor[] RentInputs() => [Rent(_query, Tq, D), Rent(_values, Tv, D)];

    /// <summary>
    /// Checks outputs (context, weights) against the double-precision reference within <paramref name="tolerance"/>;
    /// returns the largest absolute error seen.
    /// </summary>
    public double AssertMatchesReference(Tensor[] outputs, double tolerance)
    {
        Assert.Equal(2, outputs.Length);
        var (context, weights) = (outputs[0], outputs[1]);
        Assert.Equal([Batch, Tq, D], context.Shape);
        Assert.Equal([Batch, Tq, Tv], weights.Shape);
        var maxError = 0.0;
        for (var b = 0; b < Batch; b++)
        {
            var (expectedContext, expectedWeights) = ReferenceAttention.DotProduct(_query[b], _values[b], _values[b]);
            maxError = Math.Max(maxError, AssertClose(expectedContext, context.Span.Slice(b * Tq * D, Tq * D), "context", b, tolerance));
            maxError = Math.Max(maxError, AssertClose(expectedWeights, weights.Span.Slice(b * Tq * Tv, Tq * Tv), "weights", b, tolerance));
        }
        return maxError;
    }

    private static Tensor Rent(float[][][] data, int rows, int cols)
    {
        var tensor = Tensor.Rent(data.Length, rows, cols);
        var span = tensor.Span;
        for (var b = 0; b < data.Length; b++)
            for (var r = 0; r < rows; r++)
                data[b][r].CopyTo(span.Slice((b * rows + r) * cols, cols));
        return tensor;
    }

    private static double AssertClose(double[][] expected, ReadOnlySpan<float> actual, string output, int batch, double tolerance)
    {
        var cols = expected[0].Length;
        var maxError = 0.0;
        for (var r = 0; r < expected.Length; r++)
            for (var c = 0; c < cols; c++)
            {
                var error = Math.Abs(actual[r * cols + c] - expected[r][c]);
                if (!(error <= tolerance))
                    Assert.Fail($"{output}[{batch}, {r}, {c}] = {actual[r * cols + c]}, reference {expected[r][c]}; error {error:E2} > {tolerance:E0}");
                maxError = Math.Max(maxError, error);
            }
        return maxError;
    }
}

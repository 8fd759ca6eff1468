using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Tests.Reference;

namespace AttentionService.Tests.Managed;

/// <summary>The managed backend on models/luong-dot.onnx against the independent double-precision reference.</summary>
public class LuongDotTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<int, int, int, int> Shapes() => new()
    {
        { 1, 1, 1, 1 },
        { 1, 1, 32, 64 },
        { 1, 1, 1, 64 },
        { 3, 1, 9, 64 },
        { 4, 5, 1, 16 },
        { 2, 7, 13, 33 },
        { 5, 3, 17, 3 },
        { 1, 128, 128, 128 },
        { 2, 64, 128, 128 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ContextAndWeightsMatchReference(int batch, int tq, int tv, int d)
    {
        using var backend = ManagedModels.Load("luong-dot");
        var rng = new Random(batch * 1000 + tq * 100 + tv * 10 + d);
        var queries = Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, tq, d)).ToArray();
        var values = Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, tv, d)).ToArray();
        using var query = Tensor.Wrap(queries.SelectMany(q => q.SelectMany(r => r)).ToArray(), batch, tq, d);
        using var value = Tensor.Wrap(values.SelectMany(v => v.SelectMany(r => r)).ToArray(), batch, tv, d);

        var outputs = backend.Run([query, value], CancellationToken.None);
        using var context = outputs[0];
        using var weights = outputs[1];

        Assert.Equal([batch, tq, d], context.Shape);
        Assert.Equal([batch, tq, tv], weights.Shape);
        for (var b = 0; b < batch; b++)
        {
            var (expectedContext, expectedWeights) = ReferenceAttention.DotProduct(queries[b], values[b], values[b]);
            for (var i = 0; i < tq; i++)
            {
                for (var j = 0; j < tv; j++)
                    AssertClose(expectedWeights[i][j], weights.Span[(b * tq + i) * tv + j], $"weights[{b},{i},{j}]");
                for (var k = 0; k < d; k++)
                    AssertClose(expectedContext[i][k], context.Span[(b * tq + i) * d + k], $"context[{b},{i},{k}]");
            }
        }
    }

    [Fact]
    public void TransposeIsFoldedIntoTheScoresMatMul()
    {
        using var backend = ManagedModels.Load("luong-dot");
        Assert.Equal(3, backend.StepCount);
    }

    [Fact]
    public void ConcurrentRunsGiveIdenticalResults()
    {
        using var backend = ManagedModels.Load("luong-dot");
        const int shapes = 6;
        var inputs = Enumerable.Range(0, shapes).Select(s =>
        {
            var (batch, tq, tv, d) = (1 + s % 3, 1 + 7 * s, 5 + 11 * s, 8 + 9 * s);
            return (Query: ScalarReference.Random(100 + s, batch * tq * d), Values: ScalarReference.Random(200 + s, batch * tv * d), Shape: (batch, tq, tv, d));
        }).ToArray();
        float[][] RunOnce(int s)
        {
            var (batch, tq, tv, d) = inputs[s].Shape;
            using var query = Tensor.Wrap(inputs[s].Query, batch, tq, d);
            using var values = Tensor.Wrap(inputs[s].Values, batch, tv, d);
            var outputs = backend.Run([query, values], CancellationToken.None);
            try
            {
                return outputs.Select(o => o.Span.ToArray()).ToArray();
            }
            finally
            {
                foreach (var o in outputs) o.Dispose();
            }
        }
        var sequential = Enumerable.Range(0, shapes).Select(RunOnce).ToArray();

        var mismatches = 0;
        Parallel.For(0, 8 * 40, new ParallelOptions { MaxDegreeOfParallelism = 8 }, iteration =>
        {
            var s = iteration % shapes;
            var result = RunOnce(s);
            if (!result[0].AsSpan().SequenceEqual(sequential[s][0]) || !result[1].AsSpan().SequenceEqual(sequential[s][1]))
                Interlocked.Increment(ref mismatches);
        });
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void InputsAreNeitherDisposedNorChanged()
    {
        using var backend = ManagedModels.Load("luong-dot");
        var queryData = ScalarReference.Random(31, 2 * 3 * 8);
        var valuesData = ScalarReference.Random(32, 2 * 5 * 8);
        using var query = Tensor.Wrap((float[])queryData.Clone(), 2, 3, 8);
        using var values = Tensor.Wrap((float[])valuesData.Clone(), 2, 5, 8);
        foreach (var output in backend.Run([query, values], CancellationToken.None)) output.Dispose();
        Assert.Equal(queryData, query.Span.ToArray());
        Assert.Equal(valuesData, values.Span.ToArray());
    }

    [Fact]
    public void CancelledTokenStopsTheRun()
    {
        using var backend = ManagedModels.Load("luong-dot");
        using var query = Tensor.Wrap(new float[4], 1, 1, 4);
        using var values = Tensor.Wrap(new float[8], 1, 2, 4);
        Assert.Throws<OperationCanceledException>(() => backend.Run([query, values], new CancellationToken(canceled: true)));
    }

    [Fact]
    public void MismatchedFeatureSizesThrowArgumentException()
    {
        using var backend = ManagedModels.Load("luong-dot");
        using var query = Tensor.Wrap(new float[4], 1, 1, 4);
        using var values = Tensor.Wrap(new float[10], 1, 2, 5);
        var error = Assert.Throws<ArgumentException>(() => backend.Run([query, values], CancellationToken.None));
        Assert.Contains("MatMul", error.Message);
    }

    [Fact]
    public void FactoryAndBackendReportManagedKind()
    {
        var factory = new Backends.Managed.ManagedBackendFactory();
        using var backend = factory.Create(ManagedModels.Source("luong-dot"));
        Assert.Equal(BackendKind.Managed, factory.Kind);
        Assert.Equal(BackendKind.Managed, backend.Kind);
    }

    private static void AssertClose(double expected, float actual, string where) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{where}: expected {expected}, got {actual}");
}

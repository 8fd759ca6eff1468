using AttentionService.Backends.Managed;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Tests.Reference;
using AttentionService.Tests.Support;

namespace AttentionService.Tests.Managed;

/// <summary>The managed backend on models/luong-dot.onnx against the independent double-precision reference.</summary>
public class LuongDotTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<int, int, int, int, int, bool> Shapes() => new()
    {
        { 1, 1, 1, 1, 1, false },
        { 1, 1, 32, 64, 64, false },
        { 1, 1, 1, 64, 64, false },
        { 3, 1, 9, 64, 64, true },
        { 4, 5, 1, 16, 16, false },
        { 2, 7, 13, 33, 5, true },
        { 5, 3, 17, 3, 20, true },
        { 1, 128, 128, 128, 128, true },
        { 2, 64, 128, 128, 64, false },
    };

    /// <summary>Keys and values are separate inputs (dv may differ from d); masked rows keep at least one position.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void ContextAndWeightsMatchReference(int batch, int tq, int tv, int d, int dv, bool masked)
    {
        using var backend = ManagedModels.Load("luong-dot");
        var rng = new Random(batch * 1000 + tq * 100 + tv * 10 + d);
        var queries = Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, tq, d)).ToArray();
        var keys = Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, tv, d)).ToArray();
        var values = Enumerable.Range(0, batch).Select(_ => ReferenceAttention.Random(rng, tv, dv)).ToArray();
        var masks = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, tq)
            .Select(_ => Enumerable.Range(0, tv).Select(j => !masked || j == 0 || rng.NextDouble() < 0.6).ToArray()).ToArray()).ToArray();
        using var query = Tensor.Wrap(Flatten(queries), batch, tq, d);
        using var key = Tensor.Wrap(Flatten(keys), batch, tv, d);
        using var value = Tensor.Wrap(Flatten(values), batch, tv, dv);
        using var mask = Tensor.Wrap(masks.SelectMany(m => m.SelectMany(r => r.Select(on => on ? 1f : 0f))).ToArray(), batch, tq, tv);

        using var outputs = backend.RunRented([query, key, value, mask], CancellationToken.None);
        var context = outputs.Float(0);
        var weights = outputs.Float(1);

        Assert.Equal([batch, tq, dv], context.Shape);
        Assert.Equal([batch, tq, tv], weights.Shape);
        for (var b = 0; b < batch; b++)
        {
            var (expectedContext, expectedWeights) = ReferenceAttention.DotProduct(queries[b], keys[b], values[b], mask: masks[b]);
            for (var i = 0; i < tq; i++)
            {
                for (var j = 0; j < tv; j++)
                {
                    var actual = weights.Span[(b * tq + i) * tv + j];
                    if (!masks[b][i][j]) Assert.Equal(0f, actual);
                    Numerics.AssertClose(expectedWeights[i][j], actual, Tolerance, $"weights[{b},{i},{j}]");
                }
                for (var k = 0; k < dv; k++)
                    Numerics.AssertClose(expectedContext[i][k], context.Span[(b * tq + i) * dv + k], Tolerance, $"context[{b},{i},{k}]");
            }
        }
    }

    [Fact]
    public void TransposeAndMaskedSoftmaxChainAreFolded()
    {
        var source = ManagedModels.Source("luong-dot");
        using var backend = (ManagedBackend)new ManagedBackendFactory().Create(source);
        Assert.Equal(["Greater", "MatMul", "MatMul", "Softmax", "Transpose", "Where"],
            source.Proto.Graph.Node.Select(n => n.OpType).Order(StringComparer.Ordinal).ToArray());
        // MatMul(query, keysᵀ), masked softmax (Greater, Where, Softmax), MatMul(weights, values).
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
            return (Query: ScalarReference.Random(100 + s, batch * tq * d), Values: ScalarReference.Random(200 + s, batch * tv * d),
                Mask: ScalarReference.Random(300 + s, batch * tq * tv, 0f, 1f), Shape: (batch, tq, tv, d));
        }).ToArray();
        float[][] RunOnce(int s)
        {
            var (batch, tq, tv, d) = inputs[s].Shape;
            using var query = Tensor.Wrap(inputs[s].Query, batch, tq, d);
            using var values = Tensor.Wrap(inputs[s].Values, batch, tv, d);
            using var mask = Tensor.Wrap(inputs[s].Mask, batch, tq, tv);
            using var outputs = backend.RunRented([query, values, values, mask], CancellationToken.None);
            return Enumerable.Range(0, outputs.Count).Select(o => outputs.Float(o).Span.ToArray()).ToArray();
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
        using var mask = Tensor.Wrap(Enumerable.Repeat(1f, 2 * 3 * 5).ToArray(), 2, 3, 5);
        backend.RunRented([query, values, values, mask], CancellationToken.None).Dispose();
        Assert.Equal(queryData, query.Span.ToArray());
        Assert.Equal(valuesData, values.Span.ToArray());
        Assert.All(mask.Span.ToArray(), m => Assert.Equal(1f, m));
    }

    [Fact]
    public void CancelledTokenStopsTheRun()
    {
        using var backend = ManagedModels.Load("luong-dot");
        using var query = Tensor.Wrap(new float[4], 1, 1, 4);
        using var values = Tensor.Wrap(new float[8], 1, 2, 4);
        using var mask = Tensor.Wrap([1f, 1f], 1, 1, 2);
        Assert.Throws<OperationCanceledException>(() => backend.RunRented([query, values, values, mask], new CancellationToken(canceled: true)));
    }

    [Fact]
    public void MismatchedFeatureSizesThrowArgumentException()
    {
        using var backend = ManagedModels.Load("luong-dot");
        using var query = Tensor.Wrap(new float[4], 1, 1, 4);
        using var keys = Tensor.Wrap(new float[10], 1, 2, 5);
        using var mask = Tensor.Wrap([1f, 1f], 1, 1, 2);
        var error = Assert.Throws<ArgumentException>(() => backend.RunRented([query, keys, keys, mask], CancellationToken.None));
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

    private static float[] Flatten(float[][][] items) => items.SelectMany(item => item.SelectMany(row => row)).ToArray();
}

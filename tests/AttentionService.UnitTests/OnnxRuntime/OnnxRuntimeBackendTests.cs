using AttentionService.Tests.Support;
using AttentionService.Backends.OnnxRuntime;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Tests.ModelBuilder;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace AttentionService.Tests.OnnxRuntime;

/// <summary>
/// The real luong-dot.onnx (query, keys, values, mask → context, weights) on real ONNX Runtime (CPU), checked against
/// the double-precision reference.
/// </summary>
public sealed class OnnxRuntimeBackendTests(ITestOutputHelper output) : IDisposable
{
    // float32 dot products over d ≤ 128 and a float32 softmax stay well inside this against the double reference.
    private const double Tolerance = 1e-5;

    private readonly IModelBackend _backend =
        new OnnxRuntimeBackendFactory(new OnnxRuntimeSettings(), NullLogger<OnnxRuntimeBackendFactory>.Instance)
            .Create(ModelSources.FromRepository("luong-dot"));

    public void Dispose() => _backend.Dispose();

    [Theory]
    [InlineData(1, 5, 7, 16, 16, MaskKind.AllOnes)]
    [InlineData(3, 5, 7, 16, 12, MaskKind.AllOnes)]
    [InlineData(3, 5, 7, 16, 12, MaskKind.Random)]
    [InlineData(2, 1, 9, 8, 8, MaskKind.Random)]
    [InlineData(2, 4, 1, 8, 5, MaskKind.AllOnes)]
    [InlineData(2, 6, 6, 64, 64, MaskKind.Causal)]
    [InlineData(4, 33, 128, 128, 128, MaskKind.Random)]
    public void OutputsMatchTheReferenceAttention(int batch, int tq, int tv, int d, int dv, MaskKind mask)
    {
        var attention = new AttentionCase(batch, tq, tv, d, dv, mask, seed: 1000 * batch + 100 * tq + tv);
        var inputs = attention.RentInputs();
        using var outputs = _backend.RunRented(inputs.Views(), CancellationToken.None);
        try
        {
            var maxError = attention.AssertMatchesReference(outputs, Tolerance);
            output.WriteLine($"batch {batch}, tq {tq}, tv {tv}, d {d}, dv {dv}, {mask} mask: max |error| = {maxError:E2}");
        }
        finally
        {
            DisposeAll(inputs);
        }
    }

    [Fact]
    public void ExecutionProviderIsCpuByDefault() =>
        Assert.Equal("CPU", Assert.IsType<OnnxRuntimeBackend>(_backend).EffectiveProvider);

    [Fact]
    public void ConcurrentRunsFromSeveralThreadsGiveTheSameResultsAsSequentialRuns()
    {
        AttentionCase[] cases =
        [
            new(1, 3, 5, 8, 8, MaskKind.AllOnes, seed: 1),
            new(2, 7, 11, 16, 9, MaskKind.Random, seed: 2),
            new(3, 16, 40, 64, 64, MaskKind.Random, seed: 3),
            new(2, 20, 20, 32, 48, MaskKind.Causal, seed: 4),
        ];
        var expected = cases.Select(RunToArrays).ToArray();

        const int threads = 4, runsPerThread = 25;
        var mismatches = new List<string>();
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var run = 0; run < runsPerThread; run++)
            {
                // Each thread walks the cases in a different order so that different shapes overlap in time.
                var index = (t + run) % cases.Length;
                var actual = RunToArrays(cases[index]);
                for (var o = 0; o < actual.Length; o++)
                    if (!actual[o].AsSpan().SequenceEqual(expected[index][o]))
                        lock (mismatches) mismatches.Add($"thread {t}, run {run}, case {index}, output {o}");
            }
        })).ToArray();
        foreach (var worker in workers) worker.Start();
        foreach (var worker in workers) worker.Join();

        Assert.Empty(mismatches);
    }

    [Fact]
    public void RunWithACancelledTokenThrowsOperationCanceledException()
    {
        // No check in managed code precedes the run: the token sets RunOptions.Terminate and ONNX Runtime refuses it.
        var attention = new AttentionCase(2, 64, 256, 64, 64, MaskKind.Random, seed: 5);
        var inputs = attention.RentInputs();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        try
        {
            var e = Assert.ThrowsAny<OperationCanceledException>(() => _backend.RunRented(inputs.Views(), cancellation.Token));
            Assert.Equal(cancellation.Token, e.CancellationToken);
        }
        finally
        {
            DisposeAll(inputs);
        }
    }

    [Fact]
    public void ACancelledRunLeavesTheSessionUsableForTheNextRun()
    {
        var attention = new AttentionCase(2, 8, 12, 16, 16, MaskKind.Random, seed: 6);
        var inputs = attention.RentInputs();
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        try
        {
            Assert.ThrowsAny<OperationCanceledException>(() => _backend.RunRented(inputs.Views(), cancellation.Token));
            using var outputs = _backend.RunRented(inputs.Views(), CancellationToken.None);
            attention.AssertMatchesReference(outputs, Tolerance);
        }
        finally
        {
            DisposeAll(inputs);
        }
    }

    [Fact]
    public void OutputsAreFreshTensorsThatOutliveTheInputs()
    {
        var attention = new AttentionCase(2, 9, 13, 32, 24, MaskKind.Random, seed: 7);
        var inputs = attention.RentInputs();
        using var outputs = _backend.RunRented(inputs.Views(), CancellationToken.None);
        foreach (var input in inputs)
            for (var o = 0; o < outputs.Count; o++)
                Assert.False(outputs.Float(o).Overlaps(input.View), $"output {o} shares a buffer with an input");
        DisposeAll(inputs);

        // Rent the returned input buffers back from the pool and overwrite them: the outputs must not change.
        var reused = attention.RentInputs();
        foreach (var tensor in reused) tensor.Span.Fill(float.NaN);
        attention.AssertMatchesReference(outputs, Tolerance);
        DisposeAll(reused);
    }

    private float[][] RunToArrays(AttentionCase attention)
    {
        var inputs = attention.RentInputs();
        using var outputs = _backend.RunRented(inputs.Views(), CancellationToken.None);
        var arrays = Enumerable.Range(0, outputs.Count).Select(o => outputs.Float(o).Span.ToArray()).ToArray();
        DisposeAll(inputs);
        return arrays;
    }

    private static void DisposeAll(IEnumerable<Tensor<float>> tensors)
    {
        foreach (var tensor in tensors) tensor.Dispose();
    }
}

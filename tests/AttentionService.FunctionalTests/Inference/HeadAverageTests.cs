using AttentionService.Core.Tensors;
using AttentionService.Inference;

namespace AttentionService.Tests.Inference;

/// <summary>Per-head weights averaged over the heads axis against a double-precision scalar twin, allocating nothing.</summary>
public sealed class HeadAverageTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 4, 3 * 5)]
    [InlineData(3, 3, 17 * 33)]
    [InlineData(1, 8, 1000)]
    public void TheMeanOverHeadsMatchesTheScalarTwin(int batch, int heads, int inner)
    {
        var rng = new Random(batch * 100 + heads * 10 + inner);
        var perHead = Enumerable.Range(0, batch * heads * inner).Select(_ => (float)rng.NextDouble()).ToArray();
        var averaged = new float[batch * inner];

        HeadAverage.Average(perHead, batch, heads, averaged);

        for (var b = 0; b < batch; b++)
            for (var i = 0; i < inner; i++)
            {
                double sum = 0;
                for (var h = 0; h < heads; h++) sum += perHead[(b * heads + h) * inner + i];
                Assert.True(Math.Abs(sum / heads - averaged[b * inner + i]) <= 1e-6, $"[{b}][{i}]");
            }
    }

    [Fact]
    public void OfDropsTheHeadsAxis()
    {
        using var weights = Tensor.Wrap([1f, 0f, 0f, 1f, 0.5f, 0.5f, 0.25f, 0.75f], 2, 2, 1, 2);

        using var averaged = HeadAverage.Of(weights);

        Assert.Equal([2, 1, 2], averaged.Shape);
        Assert.Equal([0.5f, 0.5f, 0.375f, 0.625f], averaged.Span.ToArray());
    }

    [Fact]
    public void AveragingAllocatesNothing()
    {
        var perHead = new float[2 * 4 * 64];
        var averaged = new float[2 * 64];
        HeadAverage.Average(perHead, 2, 4, averaged);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++) HeadAverage.Average(perHead, 2, 4, averaged);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void LengthsThatDoNotFitAreRefused() =>
        Assert.Throws<ArgumentException>(() => HeadAverage.Average(new float[10], 1, 4, new float[3]));
}

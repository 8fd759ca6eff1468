using AttentionService.Core.Tensors;
using AttentionService.Inference;
using AttentionService.Registry;

namespace AttentionService.Tests.Inference;

/// <summary>
/// A request that masks nothing reads one shared buffer of ones instead of a mask of its own; a mask or causal builds
/// the request's own, which the request disposes.
/// </summary>
public sealed class MaskBuilderTests
{
    [Fact]
    public void NoMaskIsAViewOfSharedOnesOfTheRequestsShape()
    {
        var (small, error) = MaskBuilder.Build(null, causal: false, batched: true, batch: 2, tq: 3, tv: 4, MaskForm.FloatAttend);
        var (large, _) = MaskBuilder.Build(null, causal: false, batched: true, batch: 1, tq: 64, tv: 300, MaskForm.FloatAttend);

        Assert.Null(error);
        Assert.Equal([2, 3, 4], small.View.Shape);
        Assert.Equal([1, 64, 300], large.View.Shape);
        Assert.All(small.View.As<float>().Span.ToArray(), x => Assert.Equal(1f, x));
        Assert.All(large.View.As<float>().Span.ToArray(), x => Assert.Equal(1f, x));
    }

    [Fact]
    public void NoMaskAllocatesOnlyItsShapeOnceTheOnesAreLargeEnough()
    {
        MaskBuilder.Build(null, causal: false, batched: true, batch: 16, tq: 64, tv: 64, MaskForm.FloatAttend);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++) MaskBuilder.Build(null, causal: false, batched: true, batch: 16, tq: 64, tv: 64, MaskForm.FloatAttend);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Ten shapes of three dimensions, against 256 KB for one mask of its own.
        Assert.True(allocated <= 10 * 64, $"10 unmasked requests of 16×64×64 allocated {allocated} bytes");
    }

    [Fact]
    public void ACausalMaskIsTheRequestsOwnAndFreedWithIt()
    {
        var (mask, error) = MaskBuilder.Build(null, causal: true, batched: false, batch: 1, tq: 2, tv: 3, MaskForm.FloatAttend);
        var (ones, _) = MaskBuilder.Build(null, causal: false, batched: false, batch: 1, tq: 2, tv: 3, MaskForm.FloatAttend);

        Assert.Null(error);
        Assert.Equal([1f, 0f, 0f, 1f, 1f, 0f], mask.View.As<float>().Span.ToArray());
        Assert.False(mask.View.Overlaps(ones.View));
        mask.Dispose();
    }

    [Fact]
    public void APaddingMaskIsExpandedOverTheQueries()
    {
        using var padding = Tensor.Wrap([1f, 1f, 0f], 3);

        var (mask, error) = MaskBuilder.Build(padding, causal: false, batched: false, batch: 1, tq: 2, tv: 3, MaskForm.FloatAttend);

        Assert.Null(error);
        Assert.Equal([1, 2, 3], mask.View.Shape);
        Assert.Equal([1f, 1f, 0f, 1f, 1f, 0f], mask.View.As<float>().Span.ToArray());
        mask.Dispose();
    }

    [Theory]
    [InlineData(TensorElementType.Bool, MaskMeaning.Attend)]
    [InlineData(TensorElementType.Bool, MaskMeaning.Ignore)]
    [InlineData(TensorElementType.Float32, MaskMeaning.Ignore)]
    [InlineData(TensorElementType.Float32, MaskMeaning.Additive)]
    public void APaddingMaskIsWrittenInTheModelsTypeMeaningAndRank(TensorElementType type, MaskMeaning meaning)
    {
        using var padding = Tensor.Wrap([1f, 1f, 0f, 1f, 0f, 0f], 2, 3);

        var (mask, error) = MaskBuilder.Build(padding, causal: false, batched: true, batch: 2, tq: 4, tv: 3, new MaskForm(type, meaning, 2));

        Assert.Null(error);
        Assert.Equal([2, 3], mask.View.Shape);
        var attend = new[] { true, true, false, true, false, false };
        if (type == TensorElementType.Bool)
            Assert.Equal(attend.Select(a => a == (meaning == MaskMeaning.Attend)), mask.View.As<bool>().Span.ToArray());
        else
            Assert.Equal(attend.Select(a => meaning == MaskMeaning.Additive ? (a ? 0f : float.NegativeInfinity) : a ? 0f : 1f), mask.View.As<float>().Span.ToArray());
        mask.Dispose();
    }

    [Fact]
    public void CausalOnAnAdditiveMaskIsMinusInfinityAboveTheDiagonal()
    {
        var (mask, error) = MaskBuilder.Build(null, causal: true, batched: false, batch: 1, tq: 2, tv: 2, new MaskForm(TensorElementType.Float32, MaskMeaning.Additive, 3));

        Assert.Null(error);
        Assert.Equal([0f, float.NegativeInfinity, 0f, 0f], mask.View.As<float>().Span.ToArray());
        mask.Dispose();
    }

    [Fact]
    public void RowsThatDifferWithinASequenceCannotBeOneRowPerSequence()
    {
        using var full = Tensor.Wrap([1f, 1f, 1f, 0f], 2, 2);

        var (_, error) = MaskBuilder.Build(full, causal: false, batched: false, batch: 1, tq: 2, tv: 2, new MaskForm(TensorElementType.Bool, MaskMeaning.Ignore, 2));

        Assert.Equal(AttentionService.Contracts.InferenceErrorKind.Unprocessable, error!.Kind);
        Assert.StartsWith("this model takes one mask row per sequence ([batch, tv]), but the mask gives query positions 0 and 1 different rows", error.Detail);
    }

    [Fact]
    public void NoMaskIsASharedBufferInEveryForm()
    {
        var (ignore, _) = MaskBuilder.Build(null, causal: false, batched: true, batch: 2, tq: 1, tv: 3, new MaskForm(TensorElementType.Bool, MaskMeaning.Ignore, 2));
        var (additive, _) = MaskBuilder.Build(null, causal: false, batched: true, batch: 2, tq: 1, tv: 3, new MaskForm(TensorElementType.Float32, MaskMeaning.Additive, 3));
        var (again, _) = MaskBuilder.Build(null, causal: false, batched: true, batch: 1, tq: 1, tv: 3, new MaskForm(TensorElementType.Bool, MaskMeaning.Ignore, 2));

        Assert.All(ignore.View.As<bool>().Span.ToArray(), Assert.False);
        Assert.All(additive.View.As<float>().Span.ToArray(), x => Assert.Equal(0f, x));
        Assert.True(ignore.View.Overlaps(again.View));
    }
}

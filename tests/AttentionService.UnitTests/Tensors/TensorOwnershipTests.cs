using AttentionService.Core.Tensors;

namespace AttentionService.Tests.Tensors;

/// <summary>An owning tensor frees its buffer once; views see the same elements, own nothing and check their type.</summary>
public sealed class TensorOwnershipTests
{
    [Fact]
    public void AReshapedViewSharesTheOwnersElements()
    {
        using var tensor = Tensor.Wrap([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);

        var view = tensor.Reshape(3, 2);
        view.Span[5] = 60f;

        Assert.Equal([3, 2], view.Shape);
        Assert.Equal(60f, tensor.Span[5]);
        Assert.True(view.Overlaps(tensor.View));
    }

    [Fact]
    public void AReshapeToAnotherElementCountIsRefused()
    {
        using var tensor = Tensor.Rent<float>(2, 3);

        var error = Assert.Throws<ArgumentException>(() => tensor.Reshape(4, 2));

        Assert.StartsWith("cannot view 6 elements as [4, 2]", error.Message);
    }

    [Fact]
    public void ADisposedOwnerRefusesAccess()
    {
        var tensor = Tensor.Rent<float>(4);
        tensor.Dispose();
        tensor.Dispose();

        Assert.Throws<ObjectDisposedException>(() => tensor.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => tensor.View);
    }

    [Fact]
    public void ViewsOfDisjointTensorsDoNotOverlap()
    {
        using var a = Tensor.Rent<float>(8);
        using var b = Tensor.Rent<float>(8);

        Assert.False(a.View.Overlaps(b.View));
        Assert.False(((TensorView)a).Overlaps(b));
        Assert.True(((TensorView)a).Overlaps(a.Reshape(2, 4)));
    }

    [Fact]
    public void AnErasedViewKeepsItsElementTypeAndRecoversItsTypedView()
    {
        using var lengths = Tensor.Wrap([3L, 1L], 2);
        using var mask = Tensor.Wrap([true, false, true], 3);

        TensorView erasedLengths = lengths;
        TensorView erasedMask = mask;

        Assert.Equal(TensorElementType.Int64, erasedLengths.ElementType);
        Assert.Equal(TensorElementType.Bool, erasedMask.ElementType);
        Assert.Equal([3L, 1L], erasedLengths.As<long>().Span.ToArray());
        var error = Assert.Throws<InvalidCastException>(() => erasedMask.As<float>());
        Assert.Equal("the tensor holds Bool, not Float32", error.Message);
    }

    [Fact]
    public void OnlyFloatInt64AndBoolHaveAnElementType()
    {
        Assert.Equal(TensorElementType.Float32, TensorElementTypes.Of<float>());
        Assert.Equal("INT64", TensorElementTypes.Of<long>().ToWireName());
        Assert.Equal(TensorElementType.Bool, TensorElementTypes.FromOnnx(9));
        Assert.Null(TensorElementTypes.FromOnnx(11));
        Assert.Throws<TypeInitializationException>(() => TensorElementTypes.Of<double>());
    }

    [Fact]
    public void APinnedViewGivesTheAddressOfItsFirstElement()
    {
        using var tensor = Tensor.Wrap([1f, 2f, 3f], 3);

        using var pin = ((TensorView)tensor).Pin();
        unsafe
        {
            Assert.Equal(2f, ((float*)pin.Pointer)[1]);
        }
    }
}

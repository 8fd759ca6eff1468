using AttentionService.Backends.Managed.Kernels;

namespace AttentionService.Tests.Managed;

public class TransposeKernelTests
{
    public static TheoryData<int[], int[]> Cases() => new()
    {
        { [1], [0] },
        { [7], [0] },
        { [3, 5], [1, 0] },
        { [17, 33], [1, 0] },
        { [1, 9], [1, 0] },
        { [2, 3, 4], [0, 2, 1] },
        { [3, 19, 21], [0, 2, 1] },
        { [2, 3, 4], [2, 1, 0] },
        { [2, 3, 4], [1, 0, 2] },
        { [2, 3, 4], [1, 2, 0] },
        { [2, 3, 4], [2, 0, 1] },
        { [2, 3, 4], [0, 1, 2] },
        { [2, 1, 5, 3], [2, 0, 3, 1] },
        { [2, 3, 4, 5], [0, 2, 1, 3] },
        { [3, 2, 5, 4], [3, 1, 0, 2] },
        { [2, 3, 1, 4, 2], [4, 2, 0, 3, 1] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesScalarReference(int[] shape, int[] perm)
    {
        var x = ScalarReference.Random(10, ScalarReference.Count(shape));
        var y = new float[x.Length];
        TransposeKernel.Transpose(x, shape, perm, y);
        Assert.Equal(ScalarReference.Transpose(x, shape, perm), y);
    }

    [Fact]
    public void PermThatIsNotAPermutationThrows() =>
        Assert.Throws<ArgumentException>("perm", () => TransposeKernel.Transpose(new float[6], [2, 3], [1, 1], new float[6]));

    [Fact]
    public void PermLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("perm", () => TransposeKernel.Transpose(new float[6], [2, 3], [0], new float[6]));

    [Fact]
    public void InputLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("x", () => TransposeKernel.Transpose(new float[5], [2, 3], [1, 0], new float[5]));

    [Fact]
    public void DestinationLengthMismatchThrows() =>
        Assert.Throws<ArgumentException>("destination", () => TransposeKernel.Transpose(new float[6], [2, 3], [1, 0], new float[7]));
}

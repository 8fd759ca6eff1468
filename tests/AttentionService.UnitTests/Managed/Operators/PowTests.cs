using AttentionService.Core.Backends;
using AttentionService.Onnx.Protos;
using static AttentionService.Tests.Managed.Operators.NodeInput;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>Pow with float and int64 exponents, broadcasting, against ONNX Runtime.</summary>
public class PowTests
{
    public static TheoryData<int[], int[]> Shapes() => new()
    {
        { [2, 3, 17], [2, 3, 17] },
        { [2, 3, 17], [] },
        { [2, 3, 17], [17] },
        { [4, 1], [1, 5] },
        { [], [3] },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FloatExponentMatchesOnnxRuntime(int[] xShape, int[] yShape)
    {
        var x = ScalarReference.Random(11, ScalarReference.Count(xShape), 0.1f, 4f);
        var y = ScalarReference.Random(12, ScalarReference.Count(yShape), -3f, 3f);
        OneNodeModel.Single("Pow", [Floats("x", x, xShape), Floats("e", y, yShape)]).AssertManagedMatchesOnnxRuntime();
    }

    [Theory]
    [InlineData(2f)]
    [InlineData(0.5f)]
    [InlineData(3f)]
    [InlineData(-1f)]
    [InlineData(0f)]
    public void ScalarExponentOfNegativeAndSpecialBasesMatchesOnnxRuntime(float exponent)
    {
        float[] x = [-2f, -0.5f, 0f, -0f, 1f, 3f, float.PositiveInfinity, float.NegativeInfinity, 1.5f, -7f, 10f];
        OneNodeModel.Single("Pow", [Floats("x", x, x.Length), Floats("e", [exponent]).AsInitializer()]).AssertManagedMatchesOnnxRuntime();
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Int64ExponentMatchesOnnxRuntime(int[] xShape, int[] yShape)
    {
        var x = ScalarReference.Random(13, ScalarReference.Count(xShape), -3f, 3f);
        var y = ScalarReference.Random(14, ScalarReference.Count(yShape), -4f, 5f).Select(v => (long)v).ToArray();
        OneNodeModel.Single("Pow", [Floats("x", x, xShape), Int64s("e", y, yShape)]).AssertManagedMatchesOnnxRuntime();
    }

    [Fact]
    public void Int64BaseIsRefusedAtLoad()
    {
        var error = Assert.Throws<BackendUnavailableException>(() =>
            OneNodeModel.Single("Pow", [Int64s("x", [2], 1), Int64s("e", [3], 1)], TensorProto.Types.DataType.Int64).LoadManaged());
        Assert.Contains("input 0", error.Message);
    }
}

using AttentionService.Core.Backends;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.NodeInput;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>Gemm's transposes, scalars and bias layouts against ONNX Runtime, small and past the packed-multiply threshold.</summary>
public class GemmTests
{
    public static TheoryData<int, int, int, bool, bool> Sizes()
    {
        var data = new TheoryData<int, int, int, bool, bool>();
        foreach (var (m, k, n) in new[] { (1, 1, 1), (3, 5, 7), (5, 33, 2), (64, 128, 96) })
            foreach (var transA in new[] { false, true })
                foreach (var transB in new[] { false, true })
                    data.Add(m, k, n, transA, transB);
        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void TransposesMatchOnnxRuntime(int m, int k, int n, bool transA, bool transB)
    {
        var a = ScalarReference.Random(51, m * k);
        var b = ScalarReference.Random(52, k * n);
        var c = ScalarReference.Random(53, n);
        OneNodeModel.Single("Gemm",
            [Floats("a", a, transA ? [k, m] : [m, k]), Floats("b", b, transB ? [n, k] : [k, n]).AsInitializer(), Floats("c", c, n).AsInitializer()],
            attributes: [GraphBuilder.Attribute("transA", transA ? 1L : 0L), GraphBuilder.Attribute("transB", transB ? 1L : 0L)])
            .AssertManagedMatchesOnnxRuntime(Support.Numerics.AccumulationTolerance(1e-5, k));
    }

    public static TheoryData<int[]?, float, float> Biases() => new()
    {
        { null, 1f, 1f },
        { [], 1f, 1f },
        { [1], 0.5f, 2f },
        { [6], 1f, -1f },
        { [1, 6], 2f, 1f },
        { [4, 1], 1f, 0.25f },
        { [4, 6], -1.5f, 3f },
        { [4, 6], 1f, 0f },
    };

    [Theory]
    [MemberData(nameof(Biases))]
    public void AlphaBetaAndBiasLayoutsMatchOnnxRuntime(int[]? cShape, float alpha, float beta)
    {
        var a = ScalarReference.Random(54, 4 * 5);
        var b = ScalarReference.Random(55, 6 * 5);
        NodeInput? c = cShape is null ? null : Floats("c", ScalarReference.Random(56, ScalarReference.Count(cShape)), cShape);
        OneNodeModel.Single("Gemm", [Floats("a", a, 4, 5), Floats("b", b, 6, 5), c],
            attributes: [GraphBuilder.Attribute("alpha", alpha), GraphBuilder.Attribute("beta", beta), GraphBuilder.Attribute("transB", 1L)])
            .AssertManagedMatchesOnnxRuntime();
    }

    [Fact]
    public void EmptyInnerDimensionGivesTheBias()
    {
        var y = OneNodeModel.Single("Gemm", [Floats("a", [], 2, 0), Floats("b", [], 0, 3), Floats("c", [1f, 2f, 3f], 3)]).RunManaged()[0];
        Assert.Equal([2, 3], y.Shape);
        Assert.Equal([1f, 2f, 3f, 1f, 2f, 3f], (float[])y.Data);
    }

    [Fact]
    public void BiasThatDoesNotBroadcastIsAShapeError()
    {
        using var backend = OneNodeModel.Single("Gemm", [Floats("a", new float[6], 2, 3), Floats("b", new float[12], 3, 4), Floats("c", new float[3], 3).AsInitializer()]).LoadManaged();
        var error = Assert.Throws<ArgumentException>(() =>
            backend.RunRented([AttentionService.Core.Tensors.Tensor.Wrap(new float[6], 2, 3).View, AttentionService.Core.Tensors.Tensor.Wrap(new float[12], 3, 4).View], CancellationToken.None));
        Assert.Contains("C [3] does not broadcast to the result [2, 4]", error.Message);
    }
}

using AttentionService.Core.Backends;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using static AttentionService.Tests.Managed.Operators.NodeInput;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>ReduceSum, ReduceMean, ReduceMax against ONNX Runtime, with axes as an attribute (opset 17) and as an input (opset 18).</summary>
public class ReduceTests
{
    private static readonly int[] Shape = [3, 1, 4, 5];

    public static TheoryData<string, long[]?, long> AxesCases()
    {
        var data = new TheoryData<string, long[]?, long>();
        foreach (var op in new[] { "ReduceSum", "ReduceMean", "ReduceMax" })
            foreach (var keepDims in new[] { 0L, 1L })
            {
                data.Add(op, null, keepDims);
                data.Add(op, [3], keepDims);
                data.Add(op, [-1, 0], keepDims);
                data.Add(op, [0], keepDims);
                data.Add(op, [2], keepDims);
                data.Add(op, [0, 2], keepDims);
                data.Add(op, [1], keepDims);
                data.Add(op, [1, 3], keepDims);
                data.Add(op, [0, 1, 2, 3], keepDims);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(AxesCases))]
    public void AxesInputMatchesOnnxRuntime(string op, long[]? axes, long keepDims)
    {
        var x = Floats("x", ScalarReference.Random(31, ScalarReference.Count(Shape), -3f, 3f), Shape);
        NodeInput? axesInput = axes is null ? null : Int64s("axes", axes, axes.Length).AsInitializer();
        OneNodeModel.Single(op, [x, axesInput], opset: 18, attributes: GraphBuilder.Attribute("keepdims", keepDims)).AssertManagedMatchesOnnxRuntime();
    }

    [Theory]
    [MemberData(nameof(AxesCases))]
    public void Int64MatchesOnnxRuntime(string op, long[]? axes, long keepDims)
    {
        var x = Int64s("x", ScalarReference.Random(32, ScalarReference.Count(Shape), -50f, 50f).Select(v => (long)v).ToArray(), Shape);
        NodeInput? axesInput = axes is null ? null : Int64s("axes", axes, axes.Length).AsInitializer();
        OneNodeModel.Single(op, [x, axesInput], TensorProto.Types.DataType.Int64, opset: 18, attributes: GraphBuilder.Attribute("keepdims", keepDims))
            .AssertManagedMatchesOnnxRuntime();
    }

    [Theory]
    [InlineData("ReduceMean")]
    [InlineData("ReduceMax")]
    public void AxesAttributeBeforeOpset18MatchesOnnxRuntime(string op)
    {
        var x = Floats("x", ScalarReference.Random(33, ScalarReference.Count(Shape), -3f, 3f), Shape);
        OneNodeModel.Single(op, [x], opset: 17, attributes: [GraphBuilder.Attribute("axes", -1L, 1L), GraphBuilder.Attribute("keepdims", 1L)])
            .AssertManagedMatchesOnnxRuntime();
    }

    [Fact]
    public void AxesFromAGraphInputAreKnownBeforeTheRun()
    {
        // An INT64 graph input that a node needs by value keys the plan: its value is read when the plan is made.
        var x = Floats("x", ScalarReference.Random(34, ScalarReference.Count(Shape), -3f, 3f), Shape);
        OneNodeModel.Single("ReduceSum", [x, Int64s("axes", [2], 1)], opset: 13).AssertManagedMatchesOnnxRuntime();
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    public void EmptyAxesReduceEverythingOrNothing(long noop)
    {
        var x = Floats("x", ScalarReference.Random(35, ScalarReference.Count(Shape), -3f, 3f), Shape);
        OneNodeModel.Single("ReduceSum", [x, Int64s("axes", [], 0).AsInitializer()], opset: 13,
            attributes: GraphBuilder.Attribute("noop_with_empty_axes", noop)).AssertManagedMatchesOnnxRuntime();
    }

    [Fact]
    public void LongReducedRowsMatchOnnxRuntime()
    {
        // The innermost reduced run is long enough for vector sums; the kept axes walk around it.
        int[] shape = [2, 3, 1000];
        var x = Floats("x", ScalarReference.Random(36, ScalarReference.Count(shape), -1f, 1f), shape);
        foreach (var op in new[] { "ReduceSum", "ReduceMean", "ReduceMax" })
            OneNodeModel.Single(op, [x, Int64s("axes", [2], 1).AsInitializer()], opset: 18).AssertManagedMatchesOnnxRuntime(1e-4);
    }

    [Fact]
    public void EmptySetsGiveTheIdentity()
    {
        var x = Floats("x", [], 2, 0);
        float[] Run(string op) => (float[])OneNodeModel.Single(op, [x, Int64s("axes", [1], 1).AsInitializer()], opset: 18).RunManaged()[0].Data;
        Assert.Equal([0f, 0f], Run("ReduceSum"));
        Assert.Equal([float.NegativeInfinity, float.NegativeInfinity], Run("ReduceMax"));
        Assert.All(Run("ReduceMean"), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void MaxOfARowWithNaNIsNaN()
    {
        var y = (float[])OneNodeModel.Single("ReduceMax", [Floats("x", [1f, float.NaN, 3f, 1f, 2f, 0f], 2, 3)], opset: 17,
            attributes: GraphBuilder.Attribute("axes", new long[] { 1 })).RunManaged()[0].Data;
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(2f, y[1]);
    }

    [Fact]
    public void AttributeAndInputTogetherAreRefusedAtLoad()
    {
        var error = Assert.Throws<BackendUnavailableException>(() =>
            OneNodeModel.Single("ReduceMax", [Floats("x", [1f, 2f], 2), Int64s("axes", [0], 1).AsInitializer()], opset: 18,
                attributes: GraphBuilder.Attribute("axes", new long[] { 0 })).LoadManaged());
        Assert.Contains("both the axes attribute (0) and the axes input 'axes'", error.Message);
    }

    [Fact]
    public void AxisOutsideTheRankIsAShapeError()
    {
        using var backend = OneNodeModel.Single("ReduceSum", [Floats("x", [1f, 2f], 2), Int64s("axes", [1], 1).AsInitializer()], opset: 13).LoadManaged();
        var error = Assert.Throws<ArgumentException>(() =>
            backend.RunRented([AttentionService.Core.Tensors.Tensor.Wrap([1f, 2f], 2).View], CancellationToken.None));
        Assert.Contains("within [-1, 0]", error.Message);
    }
}

using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using static AttentionService.Tests.Managed.Operators.NodeInput;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>ArgMax over float32 and int64 against ONNX Runtime.</summary>
public class ArgMaxTests
{
    public static TheoryData<long, long, long> Cases()
    {
        var data = new TheoryData<long, long, long>();
        foreach (var axis in new long[] { 0, 1, 2, -1 })
            foreach (var keepDims in new long[] { 0, 1 })
                foreach (var last in new long[] { 0, 1 })
                    data.Add(axis, keepDims, last);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FloatMatchesOnnxRuntime(long axis, long keepDims, long selectLastIndex)
    {
        // Few distinct values, so ties are common and select_last_index matters.
        var x = ScalarReference.Random(41, 3 * 4 * 5, 0f, 4f).Select(MathF.Floor).ToArray();
        Model(Floats("x", x, 3, 4, 5), axis, keepDims, selectLastIndex).AssertManagedMatchesOnnxRuntime();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Int64MatchesOnnxRuntime(long axis, long keepDims, long selectLastIndex)
    {
        var x = ScalarReference.Random(42, 3 * 4 * 5, 0f, 4f).Select(v => (long)v).ToArray();
        Model(Int64s("x", x, 3, 4, 5), axis, keepDims, selectLastIndex).AssertManagedMatchesOnnxRuntime();
    }

    [Fact]
    public void DefaultsAreAxisZeroKeepingIt()
    {
        var result = OneNodeModel.Single("ArgMax", [Floats("x", [1f, 5f, 3f, 2f], 2, 2)], TensorProto.Types.DataType.Int64).RunManaged()[0];
        Assert.Equal([1, 2], result.Shape);
        Assert.Equal([1L, 0L], (long[])result.Data);
    }

    private static OneNodeModel Model(NodeInput x, long axis, long keepDims, long selectLastIndex) =>
        OneNodeModel.Single("ArgMax", [x], TensorProto.Types.DataType.Int64, attributes:
        [
            GraphBuilder.Attribute("axis", axis),
            GraphBuilder.Attribute("keepdims", keepDims),
            GraphBuilder.Attribute("select_last_index", selectLastIndex),
        ]);
}

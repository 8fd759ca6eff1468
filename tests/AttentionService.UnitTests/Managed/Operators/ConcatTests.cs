using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

public class ConcatTests
{
    public static TheoryData<int[][], long, TensorElementType> Cases()
    {
        var data = new TheoryData<int[][], long, TensorElementType>();
        foreach (var type in new[] { TensorElementType.Float32, TensorElementType.Int64, TensorElementType.Bool })
        {
            data.Add([[3], [4]], 0, type);
            data.Add([[2, 3], [2, 5], [2, 1]], 1, type);
            data.Add([[2, 3, 4], [1, 3, 4]], 0, type);
            data.Add([[2, 3, 4], [2, 2, 4], [2, 0, 4]], -2, type);
            data.Add([[2, 3, 4], [2, 3, 1]], -1, type);
            data.Add([[2, 3]], 1, type);
            // More inputs than a step passes without allocating.
            data.Add(Enumerable.Range(1, 10).Select(n => new[] { 2, n % 3 + 1 }).ToArray(), 1, type);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithOnnxRuntime(int[][] shapes, long axis, TensorElementType type)
    {
        var inputs = shapes.Select((shape, i) => ($"x{i}", Offset(GatherTests.Data(type, shape), i))).ToArray();
        var model = OneNode("Concat", inputs, [("y", DataTypeOf(type))], attributes: [GraphBuilder.Attribute("axis", axis)]);
        AssertManagedMatchesOnnxRuntime(model, [.. inputs.Select(i => i.Item2)]);
    }

    [Fact]
    public void InputsOfTwoTypesAreRefusedAtLoad()
    {
        var model = OneNode("Concat", [("a", Iota(2)), ("b", IotaInt64(2))], [("y", DataType.Float)], attributes: [GraphBuilder.Attribute("axis", 0L)]);
        Assert.Contains("one type", AssertRefusedAtLoad(model));
    }

    [Fact]
    public void MismatchedDimensionsAreAShapeError()
    {
        var model = OneNode("Concat", [("a", Iota(2, 3)), ("b", Iota(3, 3))], [("y", DataType.Float)], attributes: [GraphBuilder.Attribute("axis", 1L)]);
        using var backend = ManagedModels.Load(model);
        var error = Assert.Throws<ArgumentException>(() => backend.RunRented([Iota(2, 3), Iota(3, 3)], CancellationToken.None));
        Assert.Contains("Concat node", error.Message);
    }

    /// <summary>Float inputs shifted by 100 per input, so each input's values are told apart.</summary>
    private static TensorView Offset(TensorView view, int input)
    {
        if (view.ElementType != TensorElementType.Float32) return view;
        var data = view.As<float>().Span.ToArray();
        for (var i = 0; i < data.Length; i++) data[i] += 100 * input;
        return Floats(data, view.Shape);
    }
}

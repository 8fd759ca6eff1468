using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

public class ConstantOfShapeTests
{
    public static TheoryData<long[], string?> Cases()
    {
        var data = new TheoryData<long[], string?>();
        foreach (var value in new[] { null, "float", "int64", "bool" })
        {
            data.Add([2, 3], value);
            data.Add([0, 4], value);
            data.Add([], value);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithOnnxRuntime(long[] shape, string? value)
    {
        var type = value switch { "int64" => DataType.Int64, "bool" => DataType.Bool, _ => DataType.Float };
        var model = OneNode("ConstantOfShape", [("shape", Int64s(shape, shape.Length))], [("y", type)],
            attributes: value is null ? [] : [Value(value)]);
        AssertManagedMatchesOnnxRuntime(model, Int64s(shape, shape.Length));
    }

    [Fact]
    public void ValueOfTwoElementsIsRefusedAtLoad()
    {
        var model = OneNode("ConstantOfShape", [("shape", Int64s([2], 1))], [("y", DataType.Float)],
            attributes: [GraphBuilder.Attribute("value", InitializerData.FromFloats("v", [1f, 2f], 2))]);
        Assert.Contains("exactly one", AssertRefusedAtLoad(model));
    }

    [Fact]
    public void ShapeOfAnInputFoldsAndTheFillIsNoRunStep()
    {
        var graph = new GraphBuilder("zeros-like");
        graph.Input("x", "batch", 3);
        graph.Node("Shape", ["x"], "shape");
        graph.Node("ConstantOfShape", ["shape"], "zeros", Value("float"));
        graph.Node("Add", ["x", "zeros"], "y");
        graph.Output("y", "batch", 3);
        var model = graph.ToModel(OnnxVersions.Opset, "zeros-like", []);
        using var backend = ManagedModels.Load(model);
        Assert.Equal(1, backend.StepCount);
        foreach (var x in new[] { Iota(2, 3), Iota(5, 3) })
            AssertMatches(backend, [x], RunOnnxRuntime(model, x));
    }

    private static AttributeProto Value(string type) => type switch
    {
        "float" => GraphBuilder.Attribute("value", InitializerData.FromFloats("v", [2.5f], 1)),
        "int64" => GraphBuilder.Attribute("value", InitializerData.FromInt64s("v", [-7L], 1)),
        _ => GraphBuilder.Attribute("value", InitializerData.FromBools("v", [true], 1)),
    };
}

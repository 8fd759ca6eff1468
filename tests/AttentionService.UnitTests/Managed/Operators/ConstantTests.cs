using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

public class ConstantTests
{
    public static TheoryData<string, DataType> Forms() => new()
    {
        { "float tensor", DataType.Float },
        { "int64 tensor", DataType.Int64 },
        { "bool tensor", DataType.Bool },
        { "scalar tensor", DataType.Float },
        { "value_float", DataType.Float },
        { "value_floats", DataType.Float },
        { "value_int", DataType.Int64 },
        { "value_ints", DataType.Int64 },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void EveryValueFormAgreesWithOnnxRuntimeAndFolds(string form, DataType type)
    {
        var model = OneNode("Constant", [], [("y", type)], attributes: [Value(form)]);
        using var backend = ManagedModels.Load(model);
        Assert.Equal(0, backend.StepCount);
        AssertMatches(backend, [], RunOnnxRuntime(model));
    }

    [Theory]
    [InlineData("sparse_value")]
    [InlineData("value_string")]
    [InlineData("value_strings")]
    public void OtherFormsAreRefusedAtLoadNamingTheAttribute(string attribute)
    {
        var model = OneNode("Constant", [], [("y", DataType.Float)], attributes: [GraphBuilder.Attribute(attribute, "x")]);
        Assert.Contains($"attribute '{attribute}'", AssertRefusedAtLoad(model));
    }

    [Fact]
    public void TwoValuesAreRefusedAtLoad()
    {
        var model = OneNode("Constant", [], [("y", DataType.Float)], attributes: [Value("value_float"), Value("value_floats")]);
        Assert.Contains("exactly one", AssertRefusedAtLoad(model));
    }

    [Fact]
    public void DoubleTensorIsRefusedAtLoad()
    {
        var value = new TensorProto { DataType = (int)DataType.Double, Dims = { 1 } };
        value.DoubleData.Add(1.5);
        var model = OneNode("Constant", [], [("y", DataType.Float)], attributes: [GraphBuilder.Attribute("value", value)]);
        Assert.Contains("Double", AssertRefusedAtLoad(model));
    }

    private static AttributeProto Value(string form) => form switch
    {
        "float tensor" => GraphBuilder.Attribute("value", InitializerData.FromFloats("v", [1.5f, -2f, 3.25f, 0f, 7f, 8f], 2, 3)),
        "int64 tensor" => GraphBuilder.Attribute("value", InitializerData.FromInt64s("v", [5L, -1L, long.MaxValue], 3)),
        "bool tensor" => GraphBuilder.Attribute("value", InitializerData.FromBools("v", [true, false, true, true], 2, 2)),
        "scalar tensor" => GraphBuilder.Attribute("value", InitializerData.FromFloats("v", [42f])),
        "value_float" => GraphBuilder.Attribute("value_float", 0.5f),
        "value_floats" => GraphBuilder.Attribute("value_floats", 1f, 2f, 3f),
        "value_int" => GraphBuilder.Attribute("value_int", -9L),
        _ => GraphBuilder.Attribute("value_ints", 4L, 5L),
    };
}

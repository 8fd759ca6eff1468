using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>
/// Reshape, Squeeze, Unsqueeze, Identity and Cast on INT64 and BOOL against ONNX Runtime; ONNX's node tests cover
/// their FLOAT cases.
/// </summary>
public class CopyingOpsTypesTests
{
    public static TheoryData<TensorElementType> Types() => new() { TensorElementType.Int64, TensorElementType.Bool };

    [Theory]
    [MemberData(nameof(Types))]
    public void ReshapeAgreesWithOnnxRuntime(TensorElementType type)
    {
        var x = GatherTests.Data(type, [2, 3, 4]);
        foreach (var target in new long[][] { [-1, 2], [0, -1], [4, 0, 2], [24] })
        {
            var model = OneNode("Reshape", [("x", x), ("shape", Int64s(target, target.Length))], [("y", DataTypeOf(type))]);
            AssertManagedMatchesOnnxRuntime(model, x, Int64s(target, target.Length));
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void SqueezeAndUnsqueezeAgreeWithOnnxRuntime(TensorElementType type)
    {
        var x = GatherTests.Data(type, [1, 3, 1, 2]);
        AssertManagedMatchesOnnxRuntime(OneNode("Squeeze", [("x", x)], [("y", DataTypeOf(type))]), x);
        AssertManagedMatchesOnnxRuntime(OneNode("Squeeze", [("x", x), ("axes", Int64s([-2], 1))], [("y", DataTypeOf(type))]), x, Int64s([-2], 1));
        AssertManagedMatchesOnnxRuntime(OneNode("Unsqueeze", [("x", x), ("axes", Int64s([0, -1], 2))], [("y", DataTypeOf(type))]), x, Int64s([0, -1], 2));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void IdentityAgreesWithOnnxRuntime(TensorElementType type)
    {
        var x = GatherTests.Data(type, [3, 2]);
        AssertManagedMatchesOnnxRuntime(OneNode("Identity", [("x", x)], [("y", DataTypeOf(type))]), x);
    }

    [Theory]
    [InlineData(DataType.Float, DataType.Int64)]
    [InlineData(DataType.Float, DataType.Bool)]
    [InlineData(DataType.Int64, DataType.Float)]
    [InlineData(DataType.Int64, DataType.Bool)]
    [InlineData(DataType.Bool, DataType.Float)]
    [InlineData(DataType.Bool, DataType.Int64)]
    [InlineData(DataType.Int64, DataType.Int64)]
    public void CastAgreesWithOnnxRuntime(DataType from, DataType to)
    {
        var x = from switch
        {
            DataType.Float => Floats([-2.7f, -0.5f, 0f, -0f, 0.5f, 2.7f, 1e10f, -1e10f, 123456.78f], 9),
            DataType.Int64 => Int64s([long.MinValue, -3, 0, 1, 16_777_217, long.MaxValue], 6),
            _ => BoolPattern(7),
        };
        var model = OneNode("Cast", [("x", x)], [("y", to)], attributes: [GraphBuilder.Attribute("to", (long)to)]);
        AssertManagedMatchesOnnxRuntime(model, x);
    }
}

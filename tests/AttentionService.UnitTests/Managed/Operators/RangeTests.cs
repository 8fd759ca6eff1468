using AttentionService.Core.Backends;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

public class RangeTests
{
    [Theory]
    [InlineData(0, 10, 3)]
    [InlineData(10, -3, -4)]
    [InlineData(5, 5, 1)]
    [InlineData(0, 5, -1)]
    [InlineData(-7, 7, 7)]
    public void Int64InputsKeyThePlanAndAgreeWithOnnxRuntime(long start, long limit, long delta)
    {
        var inputs = new[] { Int64s([start]), Int64s([limit]), Int64s([delta]) };
        var model = OneNode("Range", [("start", inputs[0]), ("limit", inputs[1]), ("delta", inputs[2])], [("y", DataType.Int64)]);
        AssertManagedMatchesOnnxRuntime(model, inputs);
    }

    [Theory]
    [InlineData(0.5f, 3.2f, 0.3f)]
    [InlineData(1f, -1f, -0.25f)]
    [InlineData(0f, 100f, 0.1f)]
    [InlineData(2f, 1f, 1f)]
    public void ConstantFloatInputsFoldAndAgreeWithOnnxRuntime(float start, float limit, float delta)
    {
        var graph = new GraphBuilder("range");
        graph.Input("x", 1);
        graph.Initializer("start", [start]);
        graph.Initializer("limit", [limit]);
        graph.Initializer("delta", [delta]);
        graph.Node("Range", ["start", "limit", "delta"], "steps");
        graph.Node("Identity", ["x"], "same");
        graph.Output("steps", DataType.Float);
        graph.Output("same", 1);
        var model = WithoutOutputShapes(graph.ToModel(OnnxVersions.Opset, "range", []));
        using var backend = ManagedModels.Load(model);
        Assert.Equal(1, backend.StepCount);
        AssertMatches(backend, [Iota(1)], RunOnnxRuntime(model, Iota(1)));
    }

    [Fact]
    public void FloatGraphInputsAreRefusedAtLoad()
    {
        var model = OneNode("Range", [("start", Floats([0f])), ("limit", Floats([3f])), ("delta", Floats([1f]))], [("y", DataType.Float)]);
        Assert.Contains("needs input 0 ('start') known before the run", AssertRefusedAtLoad(model));
    }

    [Fact]
    public void ZeroDeltaIsAShapeError()
    {
        var model = OneNode("Range", [("start", Int64s([0])), ("limit", Int64s([3])), ("delta", Int64s([0]))], [("y", DataType.Int64)]);
        using var backend = ManagedModels.Load(model);
        Assert.Throws<ArgumentException>(() => backend.RunRented([Int64s([0]), Int64s([3]), Int64s([0])], CancellationToken.None));
    }
}

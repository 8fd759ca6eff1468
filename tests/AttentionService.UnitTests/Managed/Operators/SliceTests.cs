using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;

namespace AttentionService.Tests.Managed.Operators;

public class SliceTests
{
    public static TheoryData<long[], long[], long[]?, long[]?, TensorElementType> Cases()
    {
        var data = new TheoryData<long[], long[], long[]?, long[]?, TensorElementType>();
        foreach (var type in new[] { TensorElementType.Float32, TensorElementType.Int64, TensorElementType.Bool })
        {
            data.Add([0, 1], [3, 4], null, null, type);
            data.Add([1], [-1], [2], null, type);
            data.Add([-1], [-1000000], [1], [-1], type);
            data.Add([2], [long.MaxValue], [0], [1], type);
            data.Add([10], [0], [2], [-2], type);
            data.Add([0, 0, 0], [4, 5, 6], null, [2, 3, 4], type);
            data.Add([3], [1], [-2], [1], type);
            data.Add([-100], [100], [0], [3], type);
            data.Add([long.MaxValue], [long.MinValue], [0], [-1], type);
            data.Add([1, 2], [3, 5], [2, 0], null, type);
            data.Add([3, 1], [long.MinValue, 4], [0, 2], [-1, 1], type);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithOnnxRuntime(long[] starts, long[] ends, long[]? axes, long[]? steps, TensorElementType type)
    {
        var x = GatherTests.Data(type, [4, 5, 6]);
        var inputs = new List<(string, TensorView)> { ("x", x), ("starts", Int64s(starts, starts.Length)), ("ends", Int64s(ends, ends.Length)) };
        if (axes is not null || steps is not null)
            inputs.Add(("axes", axes is null ? Int64s(Enumerable.Range(0, starts.Length).Select(a => (long)a).ToArray(), starts.Length) : Int64s(axes, axes.Length)));
        if (steps is not null) inputs.Add(("steps", Int64s(steps, steps.Length)));
        var model = OneNode("Slice", [.. inputs], [("y", DataTypeOf(type))]);
        AssertManagedMatchesOnnxRuntime(model, [.. inputs.Select(i => i.Item2)]);
    }

    [Fact]
    public void ConstantStartsAndEndsFoldAndTheSliceRunsEveryRequest()
    {
        var graph = new GraphBuilder("slice");
        graph.Input("x", "batch", 6);
        graph.Initializer("starts", [4L], 1);
        graph.Initializer("ends", [0L], 1);
        graph.Initializer("axes", [1L], 1);
        graph.Initializer("steps", [-2L], 1);
        graph.Node("Slice", ["x", "starts", "ends", "axes", "steps"], "y");
        graph.Output("y", "batch", 2);
        var model = graph.ToModel(OnnxVersions.Opset, "slice", []);
        using var backend = ManagedModels.Load(model);
        Assert.Equal(1, backend.StepCount);
        foreach (var x in new[] { Iota(3, 6), Iota(1, 6) })
            AssertMatches(backend, [x], RunOnnxRuntime(model, x));
    }

    [Fact]
    public void ZeroStepIsAShapeError()
    {
        var model = OneNode("Slice", [("x", Iota(4)), ("starts", Int64s([0], 1)), ("ends", Int64s([4], 1)), ("axes", Int64s([0], 1)), ("steps", Int64s([0], 1))],
            [("y", Onnx.Protos.TensorProto.Types.DataType.Float)]);
        using var backend = ManagedModels.Load(model);
        var error = Assert.Throws<ArgumentException>(() => backend.RunRented([Iota(4), Int64s([0], 1), Int64s([4], 1), Int64s([0], 1), Int64s([0], 1)], CancellationToken.None));
        Assert.Contains("step 0", error.Message);
    }
}

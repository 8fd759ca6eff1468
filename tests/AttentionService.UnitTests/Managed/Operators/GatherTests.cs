using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.ShapeOpRuns;
using DataType = AttentionService.Onnx.Protos.TensorProto.Types.DataType;

namespace AttentionService.Tests.Managed.Operators;

public class GatherTests
{
    public static TheoryData<int[], long, long[], int[], TensorElementType> Cases()
    {
        var data = new TheoryData<int[], long, long[], int[], TensorElementType>();
        foreach (var type in new[] { TensorElementType.Float32, TensorElementType.Int64, TensorElementType.Bool })
        {
            data.Add([5, 4], 0, [0, 3, -1, 2], [4], type);
            data.Add([5, 4], 1, [1, -4], [2], type);
            data.Add([2, 3, 4], -1, [3, 0, 0], [1, 3], type);
            data.Add([2, 3, 4], 1, [2], [], type);
            data.Add([2, 3, 4], 0, [1, 0, 1, 1, 0, 0], [2, 3], type);
            data.Add([3], 0, [], [0], type);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AgreesWithOnnxRuntime(int[] shape, long axis, long[] indices, int[] indicesShape, TensorElementType type)
    {
        var x = Data(type, shape);
        var model = OneNode("Gather", [("data", x), ("indices", Int64s(indices, indicesShape))], [("y", DataTypeOf(type))],
            attributes: [GraphBuilder.Attribute("axis", axis)]);
        AssertManagedMatchesOnnxRuntime(model, x, Int64s(indices, indicesShape));
    }

    [Fact]
    public void EmbeddingLookupRunsEveryRequestAndAgreesWithOnnxRuntime()
    {
        var graph = new GraphBuilder("embedding");
        graph.Input("tokens", DataType.Int64, "batch", "t");
        var table = new float[10 * 6];
        for (var i = 0; i < table.Length; i++) table[i] = MathF.Sin(i);
        graph.Initializer("table", table, 10, 6);
        graph.Node("Gather", ["table", "tokens"], "embedded");
        graph.Output("embedded", "batch", "t", 6);
        var model = graph.ToModel(OnnxVersions.Opset, "embedding", []);
        using var backend = ManagedModels.Load(model);
        Assert.Equal(1, backend.StepCount);
        foreach (var tokens in new[] { Int64s([3, 0, 9, -1, 4, 4], 2, 3), Int64s([7], 1, 1) })
            AssertMatches(backend, [tokens], RunOnnxRuntime(model, tokens));
    }

    [Fact]
    public void IndexOutOfRangeFailsTheRunBeforeWriting()
    {
        var model = OneNode("Gather", [("data", Iota(5, 2)), ("indices", Int64s([1, 5], 2))], [("y", DataType.Float)]);
        using var backend = ManagedModels.Load(model);
        Assert.Throws<ArgumentOutOfRangeException>(() => backend.RunRented([Iota(5, 2), Int64s([1, 5], 2)], CancellationToken.None));
    }

    [Fact]
    public void ConstantIndexOutOfRangeIsAShapeErrorNamingTheNode()
    {
        var graph = new GraphBuilder("gather");
        graph.Input("data", 5, 2);
        graph.Initializer("indices", [-6L], 1);
        graph.Node("Gather", ["data", "indices"], "y");
        graph.Output("y", 1, 2);
        using var backend = ManagedModels.Load(graph.ToModel(OnnxVersions.Opset, "gather", []));
        var error = Assert.Throws<ArgumentException>(() => backend.RunRented([Iota(5, 2)], CancellationToken.None));
        Assert.Contains("Gather node", error.Message);
        Assert.Contains("index -6", error.Message);
    }

    internal static TensorView Data(TensorElementType type, int[] shape) => type switch
    {
        TensorElementType.Float32 => Iota(shape),
        TensorElementType.Int64 => IotaInt64(shape),
        _ => BoolPattern(shape),
    };
}

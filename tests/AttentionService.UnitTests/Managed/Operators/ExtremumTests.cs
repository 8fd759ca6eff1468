using AttentionService.Core.Backends;
using AttentionService.Onnx.Protos;
using static AttentionService.Tests.Managed.Operators.NodeInput;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>Variadic Max and Min, broadcasting, over float32 and int64, against ONNX Runtime.</summary>
public class ExtremumTests
{
    public static TheoryData<string, int[][]> Cases()
    {
        var data = new TheoryData<string, int[][]>();
        foreach (var op in new[] { "Max", "Min" })
        {
            data.Add(op, [[2, 3, 37]]);
            data.Add(op, [[2, 3, 37], [2, 3, 37]]);
            data.Add(op, [[2, 3, 37], []]);
            data.Add(op, [[1], [2, 3, 37]]);
            data.Add(op, [[3, 1], [1, 5], [5], []]);
            data.Add(op, [[4], [2, 1, 4], [3, 1]]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FloatMatchesOnnxRuntime(string op, int[][] shapes)
    {
        var inputs = shapes.Select((s, i) => (NodeInput?)Floats($"x{i}", ScalarReference.Random(110 + i, ScalarReference.Count(s), -5f, 5f), s)).ToArray();
        OneNodeModel.Single(op, inputs).AssertManagedMatchesOnnxRuntime();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Int64MatchesOnnxRuntime(string op, int[][] shapes)
    {
        var inputs = shapes.Select((s, i) => (NodeInput?)Int64s($"x{i}", ScalarReference.Random(120 + i, ScalarReference.Count(s), -50f, 50f).Select(v => (long)v).ToArray(), s)).ToArray();
        OneNodeModel.Single(op, inputs, TensorProto.Types.DataType.Int64).AssertManagedMatchesOnnxRuntime();
    }

    [Theory]
    [InlineData("Max")]
    [InlineData("Min")]
    public void NaNWins(string op)
    {
        var y = (float[])OneNodeModel.Single(op, [Floats("a", [1f, float.NaN, 3f], 3), Floats("b", [float.NaN, 2f, 0f], 3), Floats("c", [0f], 1)]).RunManaged()[0].Data;
        Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[1]));
        Assert.Equal(op == "Max" ? 3f : 0f, y[2]);
    }

    [Fact]
    public void MixedTypesAreRefusedAtLoad()
    {
        var error = Assert.Throws<BackendUnavailableException>(() =>
            OneNodeModel.Single("Max", [Floats("a", [1f], 1), Int64s("b", [1], 1)]).LoadManaged());
        Assert.Contains("two types", error.Message);
    }
}

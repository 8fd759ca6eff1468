using AttentionService.Core.Backends;
using AttentionService.Onnx.Protos;
using static AttentionService.Tests.Managed.Operators.NodeInput;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>Not, And, Or, Xor on BOOL tensors, broadcasting, against ONNX Runtime.</summary>
public class LogicalTests
{
    private const TensorProto.Types.DataType Bool = TensorProto.Types.DataType.Bool;

    public static TheoryData<string, int[], int[]> BinaryCases()
    {
        var data = new TheoryData<string, int[], int[]>();
        foreach (var op in new[] { "And", "Or", "Xor" })
        {
            data.Add(op, [3, 4], [3, 4]);
            data.Add(op, [2, 3, 5], [5]);
            data.Add(op, [2, 1, 5], [3, 1]);
            data.Add(op, [], [4, 2]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void BinaryOpMatchesOnnxRuntime(string op, int[] xShape, int[] yShape)
    {
        OneNodeModel.Single(op, [Bools("x", RandomBools(1, xShape), xShape), Bools("z", RandomBools(2, yShape), yShape)], Bool)
            .AssertManagedMatchesOnnxRuntime();
    }

    [Fact]
    public void NotMatchesOnnxRuntime()
    {
        int[] shape = [3, 4, 5];
        OneNodeModel.Single("Not", [Bools("x", RandomBools(3, shape), shape)], Bool).AssertManagedMatchesOnnxRuntime();
    }

    [Fact]
    public void TruthTables()
    {
        bool[] x = [false, false, true, true], y = [false, true, false, true];
        bool[] Run(string op) => (bool[])OneNodeModel.Single(op, [Bools("x", x, 4), Bools("z", y, 4)], Bool).RunManaged()[0].Data;
        Assert.Equal([false, false, false, true], Run("And"));
        Assert.Equal([false, true, true, true], Run("Or"));
        Assert.Equal([false, true, true, false], Run("Xor"));
    }

    [Fact]
    public void NonBoolInputIsRefusedAtLoad()
    {
        var error = Assert.Throws<BackendUnavailableException>(() =>
            OneNodeModel.Single("And", [Floats("x", [1f], 1), Floats("z", [0f], 1)], Bool).LoadManaged());
        Assert.Contains("BOOL", error.Message);
    }

    private static bool[] RandomBools(int seed, int[] shape) =>
        ScalarReference.Random(seed, ScalarReference.Count(shape)).Select(v => v > 0).ToArray();
}

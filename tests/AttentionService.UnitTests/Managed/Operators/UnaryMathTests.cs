using AttentionService.Onnx.Protos;
using static AttentionService.Tests.Managed.Operators.NodeInput;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>Exp, Log, Reciprocal, Sigmoid, Neg, Abs, Relu against ONNX Runtime and a double-precision reference.</summary>
public class UnaryMathTests
{
    /// <summary>Not a multiple of any vector width, so every path's scalar tail runs too.</summary>
    private const int Length = 1037;

    private static readonly float[] Special = [0f, -0f, 1f, -1f, 1e-30f, -1e-30f, 88f, 89f, -88f, -104f, float.PositiveInfinity, float.NegativeInfinity, float.NaN];

    public static TheoryData<string> FloatOps() => ["Exp", "Log", "Reciprocal", "Sigmoid", "Neg", "Abs", "Relu"];

    [Theory]
    [MemberData(nameof(FloatOps))]
    public void FloatOpMatchesOnnxRuntime(string op)
    {
        var x = ScalarReference.Random(7, Length, -20f, 20f).Concat(Special).ToArray();
        if (op == "Log") for (var i = 0; i < Length; i++) x[i] = MathF.Abs(x[i]);
        OneNodeModel.Single(op, [Floats("x", x, x.Length)]).AssertManagedMatchesOnnxRuntime();
    }

    [Theory]
    [MemberData(nameof(FloatOps))]
    public void FloatOpMatchesDoublePrecisionReference(string op)
    {
        Func<double, double> reference = op switch
        {
            "Exp" => Math.Exp,
            "Log" => Math.Log,
            "Reciprocal" => v => 1 / v,
            "Sigmoid" => v => 1 / (1 + Math.Exp(-v)),
            "Neg" => v => -v,
            "Abs" => Math.Abs,
            _ => v => Math.Max(v, 0),
        };
        var x = ScalarReference.Random(8, Length, op == "Log" ? 1e-3f : -20f, 20f);
        var y = (float[])OneNodeModel.Single(op, [Floats("x", x, 1, x.Length)]).RunManaged()[0].Data;
        for (var i = 0; i < x.Length; i++)
        {
            var expected = reference(x[i]);
            Assert.True(Math.Abs(y[i] - expected) <= 4e-7 * Math.Max(1, Math.Abs(expected)), $"{op}({x[i]}): expected {expected}, got {y[i]}");
        }
    }

    [Theory]
    [InlineData("Neg")]
    [InlineData("Abs")]
    public void Int64OpMatchesOnnxRuntime(string op)
    {
        long[] x = [0, 1, -1, 5, -7, long.MaxValue, long.MinValue + 1, 123456789012, -123456789012];
        OneNodeModel.Single(op, [Int64s("x", x, 3, 3)], TensorProto.Types.DataType.Int64).AssertManagedMatchesOnnxRuntime();
    }

    /// <summary>ONNX Runtime has no int64 Relu kernel (opset 14 allows one), so this one is checked by hand.</summary>
    [Fact]
    public void Int64ReluClampsNegativesToZero()
    {
        long[] x = [0, 1, -1, long.MaxValue, long.MinValue];
        var y = (long[])OneNodeModel.Single("Relu", [Int64s("x", x, 5)], TensorProto.Types.DataType.Int64).RunManaged()[0].Data;
        Assert.Equal([0L, 1, 0, long.MaxValue, 0], y);
    }

    [Fact]
    public void Int64NegAndAbsOfTheMinimumWrapAsInC()
    {
        var neg = (long[])OneNodeModel.Single("Neg", [Int64s("x", [long.MinValue], 1)], TensorProto.Types.DataType.Int64).RunManaged()[0].Data;
        var abs = (long[])OneNodeModel.Single("Abs", [Int64s("x", [long.MinValue], 1)], TensorProto.Types.DataType.Int64).RunManaged()[0].Data;
        Assert.Equal([long.MinValue], neg);
        Assert.Equal([long.MinValue], abs);
    }

    [Fact]
    public void ScalarInputKeepsRankZero()
    {
        var result = OneNodeModel.Single("Exp", [Floats("x", [1f])]).RunManaged()[0];
        Assert.Empty(result.Shape);
        Assert.Equal(MathF.E, ((float[])result.Data)[0], 6);
    }

    [Theory]
    [InlineData("Exp")]
    [InlineData("Sigmoid")]
    [InlineData("Log")]
    public void FloatOnlyOpRefusesInt64AtLoad(string op)
    {
        var error = Assert.Throws<AttentionService.Core.Backends.BackendUnavailableException>(() =>
            OneNodeModel.Single(op, [Int64s("x", [1, 2], 2)], TensorProto.Types.DataType.Int64).LoadManaged());
        Assert.Contains("INT64", error.Message);
    }
}

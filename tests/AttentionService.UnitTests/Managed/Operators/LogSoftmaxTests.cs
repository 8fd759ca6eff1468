using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Backends;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.NodeInput;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>LogSoftmax's kernel at every width against a double-precision reference, and the node against ONNX Runtime.</summary>
public class LogSoftmaxTests
{
    private const double Tolerance = 2e-6;

    public static TheoryData<KernelWidth, int, int, int> KernelCases()
    {
        var data = new TheoryData<KernelWidth, int, int, int>();
        foreach (var width in Enum.GetValues<KernelWidth>())
        {
            data.Add(width, 3, 37, 1);
            data.Add(width, 2, 64, 1);
            data.Add(width, 1, 1, 1);
            data.Add(width, 2, 5, 19);
            data.Add(width, 2, 3, 300);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(KernelCases))]
    public void KernelMatchesDoubleReference(KernelWidth width, int outer, int axisLength, int inner)
    {
        var x = ScalarReference.Random(21, outer * axisLength * inner, -30f, 30f);
        var y = new float[x.Length];
        if (inner == 1) width.Run(new AxisSoftmaxKernel<LogSoftmaxKernel.LogProbabilities>.RowsBody(x, y, axisLength));
        else width.Run(new AxisSoftmaxKernel<LogSoftmaxKernel.LogProbabilities>.StridedBody(x, y, outer, axisLength, inner));
        var expected = Reference(x, outer, axisLength, inner);
        Support.Numerics.AssertClose(expected, y, Tolerance, "log-softmax", relative: true);
    }

    [Theory]
    [MemberData(nameof(KernelCases))]
    public void LargeNumbersKeepTheirDifferences(KernelWidth width, int outer, int axisLength, int inner)
    {
        // Shifted far from zero: e^x alone would overflow; differences of about 1 must survive the subtraction of the maximum.
        var x = ScalarReference.Random(22, outer * axisLength * inner, -2f, 2f).Select(v => v + 10000f).ToArray();
        var y = new float[x.Length];
        if (inner == 1) width.Run(new AxisSoftmaxKernel<LogSoftmaxKernel.LogProbabilities>.RowsBody(x, y, axisLength));
        else width.Run(new AxisSoftmaxKernel<LogSoftmaxKernel.LogProbabilities>.StridedBody(x, y, outer, axisLength, inner));
        Support.Numerics.AssertClose(Reference(x, outer, axisLength, inner), y, 1e-5, "log-softmax", relative: true);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-3)]
    public void NodeMatchesOnnxRuntime(int axis)
    {
        var x = ScalarReference.Random(23, 3 * 4 * 37, -10f, 10f);
        OneNodeModel.Single("LogSoftmax", [Floats("x", x, 3, 4, 37)], attributes: GraphBuilder.Attribute("axis", (long)axis))
            .AssertManagedMatchesOnnxRuntime();
    }

    [Fact]
    public void DefaultAxisIsTheLast()
    {
        var x = ScalarReference.Random(24, 2 * 300, -5f, 5f);
        OneNodeModel.Single("LogSoftmax", [Floats("x", x, 2, 300)]).AssertManagedMatchesOnnxRuntime();
    }

    [Fact]
    public void AxisOutsideTheRankIsAShapeError()
    {
        using var backend = OneNodeModel.Single("LogSoftmax", [Floats("x", [1f, 2f], 2)], attributes: GraphBuilder.Attribute("axis", 1L)).LoadManaged();
        var error = Assert.Throws<ArgumentException>(() => backend.RunRented([AttentionService.Core.Tensors.Tensor.Wrap([1f, 2f], 2).View], CancellationToken.None));
        Assert.Contains("axis 1 is outside [-1, 0]", error.Message);
    }

    private static double[] Reference(float[] x, int outer, int axisLength, int inner)
    {
        var y = new double[x.Length];
        for (var o = 0; o < outer; o++)
            for (var i = 0; i < inner; i++)
            {
                var max = double.NegativeInfinity;
                for (var a = 0; a < axisLength; a++) max = Math.Max(max, x[(o * axisLength + a) * inner + i]);
                var sum = 0.0;
                for (var a = 0; a < axisLength; a++) sum += Math.Exp(x[(o * axisLength + a) * inner + i] - max);
                for (var a = 0; a < axisLength; a++) y[(o * axisLength + a) * inner + i] = x[(o * axisLength + a) * inner + i] - max - Math.Log(sum);
            }
        return y;
    }
}

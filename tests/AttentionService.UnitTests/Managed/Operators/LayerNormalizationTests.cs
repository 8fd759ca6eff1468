using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Backends;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using static AttentionService.Tests.Managed.Operators.NodeInput;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>LayerNormalization's kernel at every width against a double-precision reference, and the node against ONNX Runtime.</summary>
public class LayerNormalizationTests
{
    private const TensorProto.Types.DataType Float = TensorProto.Types.DataType.Float;

    public static TheoryData<KernelWidth, int, int, bool> KernelCases()
    {
        var data = new TheoryData<KernelWidth, int, int, bool>();
        foreach (var width in Enum.GetValues<KernelWidth>())
        {
            data.Add(width, 3, 37, true);
            data.Add(width, 2, 768, true);
            data.Add(width, 5, 16, false);
            data.Add(width, 1, 1, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(KernelCases))]
    public void KernelMatchesDoubleReference(KernelWidth width, int rows, int rowLength, bool withBias)
    {
        // A mean far from zero against the spread: the two-pass variance keeps its digits where E[x²] − mean² would not.
        var x = ScalarReference.Random(91, rows * rowLength, -1f, 1f).Select(v => v + 100f).ToArray();
        var scale = ScalarReference.Random(92, rowLength, 0.5f, 1.5f);
        var bias = withBias ? ScalarReference.Random(93, rowLength) : [];
        float[] y = new float[x.Length], mean = new float[rows], inverse = new float[rows];
        width.Run(new LayerNormalizationKernel.NormalizeBody(x, scale, bias, 1e-5f, y, mean, inverse));

        var expected = new double[x.Length];
        for (var r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * rowLength, rowLength).ToArray().Select(v => (double)v).ToArray();
            var average = row.Average();
            var invStd = 1 / Math.Sqrt(row.Select(v => (v - average) * (v - average)).Average() + 1e-5);
            Support.Numerics.AssertClose(average, mean[r], 1e-5 * Math.Abs(average), $"mean[{r}]");
            Support.Numerics.AssertClose(invStd, inverse[r], 1e-4 * invStd, $"inverse[{r}]");
            for (var i = 0; i < rowLength; i++)
                expected[r * rowLength + i] = (row[i] - average) * invStd * scale[i] + (withBias ? bias[i] : 0);
        }
        // The float mean of values near 100 is off by up to half its ulp (3.8e-6); times 1/σ ≈ 1.7 that is ~7e-6.
        Support.Numerics.AssertClose(expected, y, 2e-5, "y");
    }

    public static TheoryData<int[], long, bool> NodeCases() => new()
    {
        { [2, 3, 37], -1, true },
        { [2, 3, 37], 1, true },
        { [2, 3, 37], 0, false },
        { [2, 3, 37], -2, false },
        { [4, 768], -1, true },
    };

    [Theory]
    [MemberData(nameof(NodeCases))]
    public void NodeWithStatisticsMatchesOnnxRuntime(int[] shape, long axis, bool withBias)
    {
        var normalized = shape[(int)(axis < 0 ? axis + shape.Length : axis)..];
        var count = ScalarReference.Count(normalized);
        NodeInput?[] inputs =
        [
            Floats("x", ScalarReference.Random(94, ScalarReference.Count(shape), -2f, 2f), shape),
            Floats("scale", ScalarReference.Random(95, count, 0.5f, 1.5f), normalized).AsInitializer(),
            withBias ? Floats("bias", ScalarReference.Random(96, count), normalized).AsInitializer() : null,
        ];
        new OneNodeModel("LayerNormalization", inputs, [("y", Float), ("mean", Float), ("inverse", Float)],
            [GraphBuilder.Attribute("axis", axis), GraphBuilder.Attribute("epsilon", 1e-3f)]).AssertManagedMatchesOnnxRuntime(2e-5);
    }

    [Fact]
    public void NodeWithoutStatisticsMatchesOnnxRuntime()
    {
        int[] shape = [3, 5, 64];
        OneNodeModel.Single("LayerNormalization",
        [
            Floats("x", ScalarReference.Random(97, ScalarReference.Count(shape), -2f, 2f), shape),
            Floats("scale", ScalarReference.Random(98, 64, 0.5f, 1.5f), 64),
            Floats("bias", ScalarReference.Random(99, 64), 64),
        ]).AssertManagedMatchesOnnxRuntime(2e-5);
    }

    [Fact]
    public void UnusedOptionalOutputBetweenUsedOnesIsStillWritten()
    {
        new OneNodeModel("LayerNormalization",
            [Floats("x", ScalarReference.Random(100, 2 * 8), 2, 8), Floats("scale", Enumerable.Repeat(1f, 8).ToArray(), 8)],
            [("y", Float), (null, Float), ("inverse", Float)], []).AssertManagedMatchesOnnxRuntime();
    }

    [Fact]
    public void EmptyNameForTheAbsentBiasIsNoBias()
    {
        var x = Floats("x", ScalarReference.Random(101, 3 * 8), 3, 8);
        var scale = Floats("scale", ScalarReference.Random(102, 8), 8);
        var without = OneNodeModel.Single("LayerNormalization", [x, scale]).RunManaged()[0];
        var model = OneNodeModel.Single("LayerNormalization", [x, scale]);
        model.Proto.Graph.Node[0].Input.Add("");
        var withEmpty = new Backends.Managed.ManagedBackendFactory().Create(model.Source);
        using var outputs = withEmpty.RunRented([x.Value, scale.Value], CancellationToken.None);
        Assert.Equal((float[])without.Data, outputs[0].As<float>().Span.ToArray());
        withEmpty.Dispose();
    }

    [Fact]
    public void ScaleThatOnlyBroadcastsIsAShapeError()
    {
        using var backend = OneNodeModel.Single("LayerNormalization", [Floats("x", new float[8], 2, 4), Floats("scale", [1f], 1).AsInitializer()]).LoadManaged();
        var error = Assert.Throws<ArgumentException>(() => backend.RunRented([AttentionService.Core.Tensors.Tensor.Wrap(new float[8], 2, 4).View], CancellationToken.None));
        Assert.Contains("Scale has shape [1]; the managed kernel takes one value per normalized element, shape [4]", error.Message);
    }

    [Fact]
    public void StashTypeOtherThanFloatIsRefusedAtLoad()
    {
        var error = Assert.Throws<BackendUnavailableException>(() => OneNodeModel.Single("LayerNormalization",
            [Floats("x", new float[8], 2, 4), Floats("scale", new float[4], 4)], attributes: GraphBuilder.Attribute("stash_type", 11L)).LoadManaged());
        Assert.Contains("stash_type 11", error.Message);
    }
}

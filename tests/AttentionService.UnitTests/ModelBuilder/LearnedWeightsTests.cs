using AttentionService.ModelBuilder.Models;
using AttentionService.ModelBuilder.Weights;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using AttentionService.Tests.Support;
using Xunit.Abstractions;

namespace AttentionService.Tests.ModelBuilder;

/// <summary>The committed learned weights are Glorot-uniform sized and keep softmax away from saturation.</summary>
public sealed class LearnedWeightsTests(ITestOutputHelper output)
{
    public static TheoryData<string, string[]> LearnedModels() => new()
    {
        { LuongGeneral.Name, [LuongGeneral.W] },
        { Bahdanau.Name, [Bahdanau.W1, Bahdanau.W2, Bahdanau.V] },
        { MultiHead.Name, [MultiHead.Wq, MultiHead.Wk, MultiHead.Wv, MultiHead.Wo] },
    };

    [Theory, MemberData(nameof(LearnedModels))]
    public void EachMatrixFillsItsGlorotLimitAndDiffersFromTheOthers(string model, string[] initializers)
    {
        var proto = Load(model);
        var matrices = initializers.Select(name => proto.Graph.Initializer.Single(t => t.Name == name)).ToArray();
        foreach (var tensor in matrices)
        {
            var values = InitializerData.ToFloats(tensor);
            var limit = GlorotUniform.Limit((int)tensor.Dims[0], (int)tensor.Dims[1]);
            Assert.All(values, x => Assert.InRange(x, -limit, limit));
            Assert.True(values.Max() > 0.9 * limit && values.Min() < -0.9 * limit,
                $"{model} {tensor.Name} spans [{values.Min()}, {values.Max()}], expected most of ±{limit}");
        }
        Assert.Equal(matrices.Length, matrices.Select(t => t.RawData).Distinct().Count());
    }

    /// <summary>
    /// On inputs uniform in [-1, 1) over 64 keys, the mean largest weight of a row stays far from 1: the scores are not
    /// so large that softmax collapses to one key.
    /// </summary>
    [Theory]
    [InlineData(LuongGeneral.Name)]
    [InlineData(Bahdanau.Name)]
    [InlineData(MultiHead.Name)]
    public void SoftmaxIsNotSaturatedOnUnitScaleInputs(string model)
    {
        var c = new AttentionCase(2, 16, 64, 64, model == MultiHead.Name ? 64 : 8, MaskKind.AllOnes, seed: 4242);
        var run = OrtAttentionRun.Execute(RepoPaths.Model(model), c);
        var rows = run.Weights.Chunk(c.Tv).ToArray();
        var meanLargest = rows.Average(row => row.Max());
        output.WriteLine($"{model}: mean largest weight of a row over {c.Tv} keys = {meanLargest:F3} (uniform would be {1.0 / c.Tv:F3})");
        Assert.InRange(meanLargest, 1.0 / c.Tv, 0.5);
    }

    private static ModelProto Load(string name) => OnnxModelFile.Parse(File.ReadAllBytes(RepoPaths.Model(name)));
}

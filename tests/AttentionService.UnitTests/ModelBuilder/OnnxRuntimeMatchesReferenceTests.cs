using AttentionService.ModelBuilder.Models;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using AttentionService.Tests.Reference;
using AttentionService.Tests.Support;
using Xunit.Abstractions;

namespace AttentionService.Tests.ModelBuilder;

/// <summary>
/// Each committed model, run in ONNX Runtime, against an independent double-precision reference that reads the same
/// learned weights from the initializers. Tolerance: 1e-5 absolute on every context and weight value.
/// </summary>
public sealed class OnnxRuntimeMatchesReferenceTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static readonly string[] Models = [LuongDot.Name, ScaledDot.Name, LuongGeneral.Name, Bahdanau.Name, MultiHead.Name];

    /// <summary>Single query and key, a batch, one key, a mask that removes about half, and 128-long sequences.</summary>
    private static readonly (int Batch, int Tq, int Tv, MaskKind Mask)[] Shapes =
    [
        (1, 1, 1, MaskKind.AllOnes),
        (3, 1, 6, MaskKind.Random),
        (2, 5, 1, MaskKind.AllOnes),
        (2, 7, 9, MaskKind.Random),
        (4, 3, 5, MaskKind.AllOnes),
        (1, 128, 128, MaskKind.Causal),
        (2, 3, 128, MaskKind.Random),
    ];

    public static TheoryData<string, int, int, int, MaskKind> Cases()
    {
        var data = new TheoryData<string, int, int, int, MaskKind>();
        foreach (var model in Models)
            foreach (var (batch, tq, tv, mask) in Shapes)
                data.Add(model, batch, tq, tv, mask);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void OnnxRuntimeMatchesTheReferenceAndMaskedWeightsAreZero(string model, int batch, int tq, int tv, MaskKind mask)
    {
        var (d, dv) = FeatureSizes(model);
        var c = new AttentionCase(batch, tq, tv, d, dv, mask, seed: Array.IndexOf(Models, model) * 100_003 + batch * 10_007 + tq * 101 + tv);
        if (mask != MaskKind.AllOnes)
            Assert.True(c.MaskedCount > 0, "the mask must remove some positions for the zero-weight check to mean anything");
        var proto = OnnxModelFile.Parse(File.ReadAllBytes(RepoPaths.Model(model)));
        var heads = model == MultiHead.Name ? 4 : 1;

        var run = OrtAttentionRun.Execute(RepoPaths.Model(model), c);

        Assert.Equal([batch, tq, dv], run.ContextShape);
        Assert.Equal(heads == 1 ? [batch, tq, tv] : [batch, heads, tq, tv], run.WeightsShape);
        double worstContext = 0, worstWeight = 0, worstRowSum = 0;
        for (var b = 0; b < batch; b++)
        {
            var (context, weights) = Reference(model, proto, c, b);
            for (var i = 0; i < tq; i++)
            {
                for (var k = 0; k < dv; k++)
                    worstContext = Math.Max(worstContext, Math.Abs(run.Context[(b * tq + i) * dv + k] - context[i][k]));
                for (var h = 0; h < heads; h++)
                {
                    double rowSum = 0;
                    for (var j = 0; j < tv; j++)
                    {
                        var actual = run.Weights[((b * heads + h) * tq + i) * tv + j];
                        rowSum += actual;
                        worstWeight = Math.Max(worstWeight, Math.Abs(actual - weights[h][i][j]));
                        if (!c.Mask[b][i][j])
                            Assert.True(actual == 0f, $"batch {b} head {h} query {i} key {j} is masked but has weight {actual}");
                    }
                    worstRowSum = Math.Max(worstRowSum, Math.Abs(rowSum - 1));
                }
            }
        }
        output.WriteLine($"{model} batch {batch} tq {tq} tv {tv} d {d} dv {dv} {mask}: max |context - ref| = {worstContext:E2}, " +
            $"max |weight - ref| = {worstWeight:E2}, max |row sum - 1| = {worstRowSum:E2}");
        Assert.True(worstContext <= Tolerance, $"context differs from the reference by {worstContext:E3}, allowed {Tolerance:E0}");
        Assert.True(worstWeight <= Tolerance, $"weights differ from the reference by {worstWeight:E3}, allowed {Tolerance:E0}");
        Assert.True(worstRowSum <= Tolerance, $"a row of weights sums to 1 ± {worstRowSum:E3}, allowed {Tolerance:E0}");
    }

    /// <summary>(d of query and keys, dv of values): free sizes are chosen unlike 64 and unlike each other.</summary>
    private static (int D, int Dv) FeatureSizes(string model) => model switch
    {
        LuongDot.Name => (16, 5),
        ScaledDot.Name => (64, 5),
        LuongGeneral.Name => (64, 7),
        Bahdanau.Name => (64, 3),
        MultiHead.Name => (64, 64),
        _ => throw new ArgumentException($"no reference for model '{model}'; models are {string.Join(", ", Models)}"),
    };

    /// <summary>The reference for batch item <paramref name="b"/>: context [tq][dv] and weights [heads][tq][tv].</summary>
    private static (double[][] Context, double[][][] Weights) Reference(string model, ModelProto proto, AttentionCase c, int b)
    {
        float[][] q = c.Query[b], k = c.Keys[b], v = c.Values[b];
        var mask = c.Mask[b];
        return model switch
        {
            LuongDot.Name => OneHead(ReferenceAttention.DotProduct(q, k, v, 1.0, mask)),
            ScaledDot.Name => OneHead(ReferenceAttention.DotProduct(q, k, v, 1 / Math.Sqrt(64), mask)),
            LuongGeneral.Name => OneHead(ReferenceGeneralAttention.General(q, k, v, ModelWeights.Matrix(proto, LuongGeneral.W), mask)),
            Bahdanau.Name => OneHead(ReferenceAdditiveAttention.Additive(q, k, v,
                ModelWeights.Matrix(proto, Bahdanau.W1), ModelWeights.Matrix(proto, Bahdanau.W2), ModelWeights.Matrix(proto, Bahdanau.V), mask)),
            MultiHead.Name => ReferenceMultiHeadAttention.MultiHead(q, k, v,
                ModelWeights.Matrix(proto, MultiHead.Wq), ModelWeights.Matrix(proto, MultiHead.Wk),
                ModelWeights.Matrix(proto, MultiHead.Wv), ModelWeights.Matrix(proto, MultiHead.Wo), 4, mask),
            _ => throw new ArgumentException($"no reference for model '{model}'; models are {string.Join(", ", Models)}"),
        };
    }

    private static (double[][] Context, double[][][] Weights) OneHead((double[][] Context, double[][] Weights) r) => (r.Context, [r.Weights]);
}

using AttentionService.Core.Backends;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Operators.NodeInput;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>Einsum as a batched matrix multiply (in place and through permutations) and one-operand forms, against ONNX Runtime.</summary>
public class EinsumTests
{
    public static TheoryData<string, int[], int[]> Pairs() => new()
    {
        // The attention layers' equations: both operands and the result used in place.
        { "bhqd,bhkd->bhqk", [2, 3, 5, 8], [2, 3, 7, 8] },
        { "bhqk,bhkd->bhqd", [2, 3, 5, 7], [2, 3, 7, 8] },
        { "bqd,bkd->bqk", [2, 5, 8], [2, 7, 8] },
        { "bqk,bkd->bqd", [2, 5, 7], [2, 7, 8] },
        { "ij,jk->ik", [5, 6], [6, 7] },
        { "bij,bjk->bik", [3, 5, 6], [3, 6, 7] },
        { "...qd,...kd->...qk", [2, 3, 5, 8], [2, 3, 7, 8] },
        // Size-1 axes of the ellipsis broadcast, and a batch label before one.
        { "...qd,...kd->...qk", [2, 1, 5, 8], [1, 3, 7, 8] },
        { "...qd,...kd->...qk", [2, 3, 5, 8], [1, 3, 7, 8] },
        { "b...d,b...d->b...", [2, 3, 8], [2, 1, 8] },
        // Layouts that need a permutation of an operand or of the result.
        { "bqhd,bkhd->bhqk", [2, 5, 3, 8], [2, 7, 3, 8] },
        { "bhqk,bkhd->bqhd", [2, 3, 5, 7], [2, 7, 3, 8] },
        { "ij,jk->ki", [5, 6], [6, 7] },
        { "ji,jk->ik", [6, 5], [6, 7] },
        { "ijk,ikj->i", [3, 4, 5], [3, 5, 4] },
        { "ab,cb->ca", [4, 9], [3, 9] },
        // A batch only one operand has (a shared weight), an inner product, an outer product.
        { "bij,jk->bik", [3, 5, 6], [6, 7] },
        { "i,i", [9], [9] },
        { "i,j->ij", [4], [5] },
        { "bi,bi->b", [3, 6], [3, 6] },
        // Implicit output: labels used once, in alphabetical order.
        { "ik,kj", [5, 6], [6, 7] },
        { "bhqd, bhkd -> bhqk", [1, 2, 3, 4], [1, 2, 5, 4] },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void TwoOperandsMatchOnnxRuntime(string equation, int[] aShape, int[] bShape)
    {
        var a = ScalarReference.Random(61, ScalarReference.Count(aShape));
        var b = ScalarReference.Random(62, ScalarReference.Count(bShape));
        OneNodeModel.Single("Einsum", [Floats("a", a, aShape), Floats("b", b, bShape)], attributes: GraphBuilder.Attribute("equation", equation))
            .AssertManagedMatchesOnnxRuntime();
    }

    [Fact]
    public void LargeAttentionProductMatchesOnnxRuntime()
    {
        // Past the packed-multiply threshold, with B read transposed.
        int[] q = [2, 2, 64, 64], k = [2, 2, 96, 64];
        OneNodeModel.Single("Einsum", [Floats("q", ScalarReference.Random(63, ScalarReference.Count(q)), q), Floats("k", ScalarReference.Random(64, ScalarReference.Count(k)), k)],
            attributes: GraphBuilder.Attribute("equation", "bhqd,bhkd->bhqk")).AssertManagedMatchesOnnxRuntime(Support.Numerics.AccumulationTolerance(1e-5, 64));
    }

    public static TheoryData<string, int[]> Singles() => new()
    {
        { "ij->ji", [3, 4] },
        { "ij->i", [3, 4] },
        { "ij->j", [3, 4] },
        { "ijk->", [2, 3, 4] },
        { "bhqd->bqhd", [2, 3, 4, 5] },
        { "...ij->...ji", [2, 3, 4] },
        { "ji", [3, 4] },
    };

    [Theory]
    [MemberData(nameof(Singles))]
    public void OneOperandMatchesOnnxRuntime(string equation, int[] shape)
    {
        OneNodeModel.Single("Einsum", [Floats("a", ScalarReference.Random(65, ScalarReference.Count(shape)), shape)],
            attributes: GraphBuilder.Attribute("equation", equation)).AssertManagedMatchesOnnxRuntime();
    }

    [Theory]
    [InlineData("ii->i", 1, "repeats label 'i' in term 'ii' (a diagonal or trace)")]
    [InlineData("...ii->...i", 1, "repeats label 'i'")]
    [InlineData("ij,jk,kl->il", 3, "has 3 operands; the managed Einsum takes one or two")]
    [InlineData("ij,jk->k", 2, "sums label 'i' over one operand only")]
    [InlineData("...ij,...jk->ik", 2, "sums over the ellipsis's dimensions")]
    [InlineData("Ab,bc", 2, "mixes upper- and lower-case labels")]
    [InlineData("ij,jk->iz", 2, "has output label 'z', which no operand has")]
    [InlineData("i1,1j->ij", 2, "has '1' in term 'i1'")]
    public void EquationsNotImplementedAreRefusedAtLoadNamingThem(string equation, int operands, string reason)
    {
        var inputs = Enumerable.Range(0, operands).Select(i => (NodeInput?)Floats($"x{i}", new float[4], 2, 2)).ToArray();
        var error = Assert.Throws<BackendUnavailableException>(() =>
            OneNodeModel.Single("Einsum", inputs, attributes: GraphBuilder.Attribute("equation", equation)).LoadManaged());
        Assert.Contains($"equation \"{equation}\"", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void OperandOfTheWrongRankIsAShapeError()
    {
        using var backend = OneNodeModel.Single("Einsum", [Floats("a", new float[6], 2, 3), Floats("b", new float[6], 3, 2).AsInitializer()],
            attributes: GraphBuilder.Attribute("equation", "bij,bjk->bik")).LoadManaged();
        var error = Assert.Throws<ArgumentException>(() => backend.RunRented([AttentionService.Core.Tensors.Tensor.Wrap(new float[6], 2, 3).View], CancellationToken.None));
        Assert.Contains("operand 0 [2, 3] does not fit term 'bij'", error.Message);
    }

    [Fact]
    public void EllipsesOfDifferentRanksAreAShapeError()
    {
        // numpy would broadcast them; ONNX's shape inference rejects them (and ONNX Runtime with it).
        using var backend = OneNodeModel.Single("Einsum", [Floats("a", new float[80], 2, 5, 8), Floats("b", new float[56], 7, 8).AsInitializer()],
            attributes: GraphBuilder.Attribute("equation", "...qd,...kd->...qk")).LoadManaged();
        var error = Assert.Throws<ArgumentException>(() => backend.RunRented([AttentionService.Core.Tensors.Tensor.Wrap(new float[80], 2, 5, 8).View], CancellationToken.None));
        Assert.Contains("the ellipsis stands for 1 dimension(s) in operand 0 [2, 5, 8] but 0 in operand 1 [7, 8]", error.Message);
    }

    [Fact]
    public void ContractedSizesThatDifferAreAShapeError()
    {
        using var backend = OneNodeModel.Single("Einsum", [Floats("a", new float[6], 2, 3), Floats("b", new float[8], 4, 2).AsInitializer()],
            attributes: GraphBuilder.Attribute("equation", "ij,jk->ik")).LoadManaged();
        var error = Assert.Throws<ArgumentException>(() => backend.RunRented([AttentionService.Core.Tensors.Tensor.Wrap(new float[6], 2, 3).View], CancellationToken.None));
        Assert.Contains("label 'j' has sizes 3 and 4", error.Message);
    }
}

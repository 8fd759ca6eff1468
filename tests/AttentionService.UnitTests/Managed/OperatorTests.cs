using AttentionService.Backends.Managed.Kernels;
using AttentionService.Backends.Managed.Operators;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using static AttentionService.Tests.Managed.Nodes;

namespace AttentionService.Tests.Managed;

public class OperatorTests
{
    [Theory]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4 })]
    [InlineData(new[] { 2, 1, 4 }, new[] { 3, 1 })]
    [InlineData(new int[0], new[] { 2, 2 })]
    [InlineData(new[] { 5, 1 }, new[] { 1, 5 })]
    public void BinaryOpsBroadcastBothWays(int[] aShape, int[] bShape)
    {
        var a = ScalarReference.Random(21, ScalarReference.Count(aShape));
        var b = ScalarReference.Random(22, ScalarReference.Count(bShape), 0.5f, 2f);
        var expectedShape = BroadcastShapes.Broadcast(aShape, bShape);
        var cases = new (Operator Op, Func<float, float, float> Reference)[]
        {
            (new ArithmeticOperator<Arithmetic.Add>(Node("Add", ["a", "b"])), (x, y) => x + y),
            (new ArithmeticOperator<Arithmetic.Subtract>(Node("Sub", ["a", "b"])), (x, y) => x - y),
            (new ArithmeticOperator<Arithmetic.Multiply>(Node("Mul", ["a", "b"])), (x, y) => x * y),
            (new ArithmeticOperator<Arithmetic.Divide>(Node("Div", ["a", "b"])), (x, y) => x / y),
        };
        foreach (var (op, reference) in cases)
        {
            var (shape, data) = Run(op, (a, aShape), (b, bShape));
            Assert.Equal(expectedShape, shape);
            Assert.Equal(ScalarReference.Binary(a, aShape, b, bShape, expectedShape, reference), data);
            var (swappedShape, swapped) = Run(op, (b, bShape), (a, aShape));
            Assert.Equal(expectedShape, swappedShape);
            Assert.Equal(ScalarReference.Binary(b, bShape, a, aShape, expectedShape, reference), swapped);
        }
    }

    [Theory]
    [InlineData(new[] { 2, 3, 4 }, new[] { 4 })]
    [InlineData(new[] { 2, 1, 4 }, new[] { 3, 1 })]
    [InlineData(new int[0], new[] { 2, 2 })]
    [InlineData(new[] { 5, 1 }, new[] { 1, 5 })]
    public void ComparisonsGiveBoolsBroadcastingBothWays(int[] aShape, int[] bShape)
    {
        // Rounded to halves, so equal pairs occur and Equal / GreaterOrEqual / LessOrEqual see both outcomes.
        var a = ScalarReference.Random(21, ScalarReference.Count(aShape), -2f, 2f).Select(v => MathF.Round(v * 2) / 2).ToArray();
        var b = ScalarReference.Random(22, ScalarReference.Count(bShape), -2f, 2f).Select(v => MathF.Round(v * 2) / 2).ToArray();
        var expectedShape = BroadcastShapes.Broadcast(aShape, bShape);
        var cases = new (Operator Op, Func<float, float, bool> Reference)[]
        {
            (new ComparisonOperator<Comparison.Greater>(Node("Greater", ["a", "b"])), (x, y) => x > y),
            (new ComparisonOperator<Comparison.GreaterOrEqual>(Node("GreaterOrEqual", ["a", "b"])), (x, y) => x >= y),
            (new ComparisonOperator<Comparison.Less>(Node("Less", ["a", "b"])), (x, y) => x < y),
            (new ComparisonOperator<Comparison.LessOrEqual>(Node("LessOrEqual", ["a", "b"])), (x, y) => x <= y),
            (new ComparisonOperator<Comparison.Equal>(Node("Equal", ["a", "b"])), (x, y) => x == y),
        };
        foreach (var (op, reference) in cases)
        {
            var (shape, data) = Run<bool>(op, Floats(a, aShape), Floats(b, bShape));
            Assert.Equal(expectedShape, shape);
            Assert.Equal(Bools(ScalarReference.Binary(a, aShape, b, bShape, expectedShape, (x, y) => reference(x, y) ? 1f : 0f)), data);
            var (swappedShape, swapped) = Run<bool>(op, Floats(b, bShape), Floats(a, aShape));
            Assert.Equal(expectedShape, swappedShape);
            Assert.Equal(Bools(ScalarReference.Binary(b, bShape, a, aShape, expectedShape, (x, y) => reference(x, y) ? 1f : 0f)), swapped);
        }
    }

    [Fact]
    public void ComparisonOfInt64sGivesBools()
    {
        var (shape, data) = Run<bool>(new ComparisonOperator<Comparison.Greater>(Node("Greater", ["a", "b"])), Int64s(1, 5, -3), Int64s(2));
        Assert.Equal([3], shape);
        Assert.Equal([false, true, false], data);
    }

    [Fact]
    public void BinaryOpWithIncompatibleShapesNamesTheNode()
    {
        var error = Assert.Throws<ArgumentException>(() => Run(new ArithmeticOperator<Arithmetic.Add>(Node("Add", ["a", "b"])), (new float[6], [2, 3]), (new float[2], [2])));
        Assert.Contains("Add node 'Add_test'", error.Message);
        Assert.Contains("[2, 3]", error.Message);
    }

    [Fact]
    public void GreaterThenWhereSelectsPerElementWithBroadcasting()
    {
        var greater = new ComparisonOperator<Comparison.Greater>(Node("Greater", ["x", "limit"]));
        var (maskShape, mask) = Run<bool>(greater, Floats([1f, 5f, 3f, 7f, -2f, 4f], [2, 3]), Floats([3f], []));
        Assert.Equal([2, 3], maskShape);
        Assert.Equal([false, true, false, true, false, true], mask);

        var where = new WhereOperator(Node("Where", ["mask", "x", "y"]));
        var (shape, data) = Run<float>(where, Tensor.Wrap(mask, maskShape).View, Floats([10f, 20f, 30f], [3]), Floats([-1f, -2f], [2, 1]));
        Assert.Equal([2, 3], shape);
        Assert.Equal([-1f, 20f, -1f, 10f, -2f, 30f], data);
    }

    public static TheoryData<int[], long[]?> TransposeCases() => new()
    {
        { [2, 3], null },
        { [2, 3, 4], null },
        { [2, 3, 4], [0, 2, 1] },
        { [2, 3, 4], [1, 2, 0] },
        { [2, 3, 4, 5], [0, 2, 1, 3] },
        { [2, 3, 4, 5], [3, 2, 0, 1] },
    };

    [Theory]
    [MemberData(nameof(TransposeCases))]
    public void TransposeFollowsPermOrReversesAxes(int[] shape, long[]? perm)
    {
        var node = perm is null ? Node("Transpose", ["x"]) : Node("Transpose", ["x"], GraphBuilder.Attribute("perm", perm));
        var x = ScalarReference.Random(23, ScalarReference.Count(shape));
        var (outShape, data) = Run(new TransposeOperator(node), (x, shape));
        var effective = perm?.Select(p => (int)p).ToArray() ?? Enumerable.Range(0, shape.Length).Reverse().ToArray();
        Assert.Equal(effective.Select(p => shape[p]), outShape);
        Assert.Equal(ScalarReference.Transpose(x, shape, effective), data);
    }

    [Fact]
    public void TransposeWithInvalidPermIsRejectedAtLoad()
    {
        var error = Assert.Throws<BackendUnavailableException>(() => new TransposeOperator(Node("Transpose", ["x"], GraphBuilder.Attribute("perm", 0L, 0L))));
        Assert.Contains("perm (0, 0)", error.Message);
    }

    [Fact]
    public void TransposeWithPermOfAnotherRankThrowsAtRun() =>
        Assert.Throws<ArgumentException>(() => Run(new TransposeOperator(Node("Transpose", ["x"], GraphBuilder.Attribute("perm", 1L, 0L))), (new float[8], [2, 2, 2])));

    [Theory]
    [InlineData(new long[] { 0, -1 }, new[] { 2, 12 })]
    [InlineData(new long[] { -1 }, new[] { 24 })]
    [InlineData(new long[] { 4, 0, -1 }, new[] { 4, 3, 2 })]
    [InlineData(new long[] { 1, 2, 1, 12 }, new[] { 1, 2, 1, 12 })]
    public void ReshapeCopiesZeroDimsAndInfersMinusOne(long[] target, int[] expected)
    {
        var op = new ReshapeOperator(Node("Reshape", ["x", "shape"]));
        var x = ScalarReference.Random(24, 24);
        var (shape, data) = Run<float>(op, Floats(x, [2, 3, 4]), Int64s(target));
        Assert.Equal(expected, shape);
        Assert.Equal(x, data);
    }

    [Fact]
    public void ReshapeToAnIncompatibleSizeThrows()
    {
        var op = new ReshapeOperator(Node("Reshape", ["x", "shape"]));
        var error = Assert.Throws<ArgumentException>(() => Run<float>(op, Floats(new float[24], [2, 3, 4]), Int64s(5, -1)));
        Assert.Contains("cannot infer", error.Message);
    }

    [Fact]
    public void ReshapeKeepsTheElementTypeOfItsData()
    {
        var op = new ReshapeOperator(Node("Reshape", ["x", "shape"]));
        var (shape, data) = Run<long>(op, Tensor.Wrap(new long[] { 1, 2, 3, 4, 5, 6 }, 2, 3).View, Int64s(3, -1));
        Assert.Equal([3, 2], shape);
        Assert.Equal([1L, 2, 3, 4, 5, 6], data);
    }

    [Fact]
    public void ReshapeWithAFloatShapeIsRejectedAtLoad()
    {
        var op = new ReshapeOperator(Node("Reshape", ["x", "shape"]));
        var error = Assert.Throws<BackendUnavailableException>(() =>
            op.InferTypes([TensorElementType.Float32, TensorElementType.Float32], new TensorElementType[1]));
        Assert.Equal("Reshape node 'Reshape_test' takes INT64 as input 1 ('shape'), not FP32", error.Message);
    }

    [Fact]
    public void UnsqueezeInsertsAxesCountedInTheOutput()
    {
        var op = new UnsqueezeOperator(Node("Unsqueeze", ["x", "axes"]));
        var x = ScalarReference.Random(25, 12);
        var (shape, data) = Run<float>(op, Floats(x, [3, 4]), Int64s(0, -1));
        Assert.Equal([1, 3, 4, 1], shape);
        Assert.Equal(x, data);
    }

    [Fact]
    public void UnsqueezeWithDuplicateAxesThrows() =>
        Assert.Throws<ArgumentException>(() => Run<float>(new UnsqueezeOperator(Node("Unsqueeze", ["x", "axes"])), Floats(new float[3], [3]), Int64s(1, -2)));

    [Fact]
    public void SqueezeRemovesTheGivenAxesOrEverySizeOneAxis()
    {
        var x = ScalarReference.Random(26, 6);
        var withAxes = new SqueezeOperator(Node("Squeeze", ["x", "axes"]));
        Assert.Equal([1, 2, 3], Run<float>(withAxes, Floats(x, [1, 2, 3, 1]), Int64s(-1)).Shape);
        var all = new SqueezeOperator(Node("Squeeze", ["x"]));
        var (shape, data) = Run(all, (x, [1, 2, 3, 1]));
        Assert.Equal([2, 3], shape);
        Assert.Equal(x, data);
    }

    [Fact]
    public void SqueezeOfAnAxisLongerThanOneThrows()
    {
        var op = new SqueezeOperator(Node("Squeeze", ["x", "axes"]));
        var error = Assert.Throws<ArgumentException>(() => Run<float>(op, Floats(new float[6], [1, 2, 3]), Int64s(1)));
        Assert.Contains("has size 2", error.Message);
    }

    [Fact]
    public void SoftmaxWithNegativeInfinityGivesExactZerosAndRowsSumToOne()
    {
        var x = ScalarReference.Random(27, 2 * 3 * 5, -3f, 3f);
        x[1] = x[7] = x[14] = float.NegativeInfinity;
        var (shape, data) = Run(new SoftmaxOperator(Node("Softmax", ["x"])), (x, [2, 3, 5]));
        Assert.Equal([2, 3, 5], shape);
        Assert.Equal(0f, data[1]);
        Assert.Equal(0f, data[7]);
        Assert.Equal(0f, data[14]);
        for (var row = 0; row < 6; row++)
            Assert.Equal(1.0, data.Skip(row * 5).Take(5).Sum(v => (double)v), 1e-6);
    }

    [Fact]
    public void SoftmaxAlongAMiddleAxisMatchesReference()
    {
        var x = ScalarReference.Random(28, 2 * 3 * 5, -3f, 3f);
        var (_, data) = Run(new SoftmaxOperator(Node("Softmax", ["x"], GraphBuilder.Attribute("axis", 1L))), (x, [2, 3, 5]));
        var expected = ScalarReference.Softmax(x, 2, 3, 5);
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], data[i], 1e-6);
    }

    [Fact]
    public void SoftmaxAxisOutOfRangeThrows() =>
        Assert.Throws<ArgumentException>(() => Run(new SoftmaxOperator(Node("Softmax", ["x"], GraphBuilder.Attribute("axis", 3L))), (new float[6], [2, 3])));

    public static TheoryData<int[], int[], int[]> MatMulCases() => new()
    {
        { [3, 4], [4, 5], [3, 5] },
        { [2, 7, 6], [6, 5], [2, 7, 5] },
        { [2, 1, 3, 4], [5, 4, 6], [2, 5, 3, 6] },
        { [3, 4, 5], [1, 5, 2], [3, 4, 2] },
        { [4], [4, 5], [5] },
        { [3, 4], [4], [3] },
        { [2, 3, 4], [4], [2, 3] },
        { [4], [2, 4, 3], [2, 3] },
    };

    [Theory]
    [MemberData(nameof(MatMulCases))]
    public void MatMulFollowsNumpySemantics(int[] aShape, int[] bShape, int[] expectedShape)
    {
        var a = ScalarReference.Random(29, ScalarReference.Count(aShape));
        var b = ScalarReference.Random(30, ScalarReference.Count(bShape));
        var (shape, data) = Run(new MatMulOperator(Node("MatMul", ["a", "b"])), (a, aShape), (b, bShape));
        Assert.Equal(expectedShape, shape);
        var expected = NumpyMatMul(a, aShape, b, bShape, expectedShape);
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], data[i], 1e-5);
    }

    [Fact]
    public void MatMulWithMismatchedInnerDimensionsNamesShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => Run(new MatMulOperator(Node("MatMul", ["a", "b"])), (new float[6], [2, 3]), (new float[8], [4, 2])));
        Assert.Contains("MatMul node 'MatMul_test'", error.Message);
        Assert.Contains("[2, 3] has 3 columns but B [4, 2] has 4 rows", error.Message);
    }

    [Fact]
    public void CastToBoolIsNonZeroAndToFloatCopies()
    {
        float[] x = [0f, 2.5f, -1f, 0f, -0f, float.NaN];
        var toBool = new CastOperator(Node("Cast", ["x"], GraphBuilder.Attribute("to", 9L)));
        Assert.Equal(TensorElementType.Bool, OutputType(toBool, TensorElementType.Float32));
        Assert.Equal([false, true, true, false, false, true], Run<bool>(toBool, Floats(x, [6])).Data);
        var toFloat = new CastOperator(Node("Cast", ["x"], GraphBuilder.Attribute("to", 1L)));
        Assert.Equal(TensorElementType.Float32, OutputType(toFloat, TensorElementType.Float32));
        Assert.Equal(x, Run(toFloat, (x, [6])).Data);
    }

    [Fact]
    public void CastBetweenFloatInt64AndBool()
    {
        var toInt64 = new CastOperator(Node("Cast", ["x"], GraphBuilder.Attribute("to", 7L)));
        Assert.Equal(TensorElementType.Int64, OutputType(toInt64, TensorElementType.Float32));
        // Truncation toward zero.
        Assert.Equal([2L, -2L, 0L, 7L], Run<long>(toInt64, Floats([2.9f, -2.9f, -0.5f, 7f], [4])).Data);
        Assert.Equal([0L, 1L, 1L], Run<long>(toInt64, Tensor.Wrap(new[] { false, true, true }, 3).View).Data);

        var toFloat = new CastOperator(Node("Cast", ["x"], GraphBuilder.Attribute("to", 1L)));
        Assert.Equal([-3f, 0f, 5f], Run<float>(toFloat, Int64s(-3, 0, 5)).Data);
        Assert.Equal([1f, 0f], Run<float>(toFloat, Tensor.Wrap(new[] { true, false }, 2).View).Data);

        var toBool = new CastOperator(Node("Cast", ["x"], GraphBuilder.Attribute("to", 9L)));
        Assert.Equal([true, false, true], Run<bool>(toBool, Int64s(-1, 0, 4)).Data);
    }

    [Fact]
    public void CastToATypeOutsideFloatInt64AndBoolIsRejectedAtLoad()
    {
        var error = Assert.Throws<BackendUnavailableException>(() => new CastOperator(Node("Cast", ["x"], GraphBuilder.Attribute("to", 11L))));
        Assert.Equal("Cast node 'Cast_test' casts to Double (11); the managed backend computes in FLOAT, INT64 and BOOL", error.Message);
    }

    [Fact]
    public void UnknownAttributeIsRejectedAtLoad()
    {
        var error = Assert.Throws<BackendUnavailableException>(() => new SoftmaxOperator(Node("Softmax", ["x"], GraphBuilder.Attribute("approximate", 1L))));
        Assert.Contains("attribute 'approximate'", error.Message);
    }

    [Fact]
    public void TanhSqrtAndIdentityKeepTheShape()
    {
        float[] x = [0f, 0.25f, 4f, 9f, 1f, 16f];
        Assert.Equal(x.Select(v => (float)Math.Tanh(v)).ToArray(), Run(new TanhOperator(Node("Tanh", ["x"])), (x, [2, 3])).Data, (e, a) => Math.Abs(e - a) < 1e-6);
        var sqrt = Run(new SqrtOperator(Node("Sqrt", ["x"])), (x, [2, 3]));
        Assert.Equal([2, 3], sqrt.Shape);
        Assert.Equal([0f, 0.5f, 2f, 3f, 1f, 4f], sqrt.Data);
        Assert.Equal(x, Run(new IdentityOperator(Node("Identity", ["x"])), (x, [2, 3])).Data);
    }

    private static TensorView Floats(float[] data, int[] shape) => Tensor.Wrap(data, shape).View;

    private static bool[] Bools(float[] zeroOrOne) => zeroOrOne.Select(v => v != 0f).ToArray();

    private static TensorElementType OutputType(Operator op, params TensorElementType?[] inputs)
    {
        var outputs = new TensorElementType[op.Outputs.Count];
        op.InferTypes(inputs, outputs);
        return outputs[0];
    }

    /// <summary>numpy.matmul by index arithmetic: 1-D operands promoted, batch axes broadcast.</summary>
    private static double[] NumpyMatMul(float[] a, int[] aShape, float[] b, int[] bShape, int[] outShape)
    {
        var a2 = aShape.Length == 1 ? [1, aShape[0]] : aShape;
        var b2 = bShape.Length == 1 ? [bShape[0], 1] : bShape;
        int m = a2[^2], k = a2[^1], n = b2[^1];
        var batch = BroadcastShapes.Broadcast(a2[..^2], b2[..^2]);
        var batchCount = ScalarReference.Count(batch);
        var result = new double[batchCount * m * n];
        for (var item = 0; item < batchCount; item++)
        {
            var index = ScalarReference.Unravel(item, batch);
            var aItem = ScalarReference.BroadcastSource(index, a2[..^2]);
            var bItem = ScalarReference.BroadcastSource(index, b2[..^2]);
            for (var i = 0; i < m; i++)
                for (var j = 0; j < n; j++)
                    for (var p = 0; p < k; p++)
                        result[(item * m + i) * n + j] += (double)a[aItem * m * k + i * k + p] * b[bItem * k * n + p * n + j];
        }
        Assert.Equal(ScalarReference.Count(outShape), result.Length);
        return result;
    }
}

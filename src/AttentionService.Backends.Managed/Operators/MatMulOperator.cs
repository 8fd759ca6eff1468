using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX MatMul (numpy matmul): the last two axes multiply, leading (batch) axes broadcast, a rank-1 operand is a
/// vector whose axis is dropped from the result. When B has no batch (a 2-D weight) A's batch folds into one GEMM.
/// Built with <see cref="WithTransposedB"/> it reads B as the input of a Transpose that swapped B's last two axes,
/// multiplying by its transpose directly instead of materializing it.
/// </summary>
public sealed class MatMulOperator : Operator
{
    private readonly string? _fusedTranspose;

    public MatMulOperator(NodeProto node) : base(node, 2, 2) => NodeAttributes.Read(node);

    private MatMulOperator(NodeProto node, IReadOnlyList<string> inputs, string fusedTranspose) : base(node, inputs, [node.Output[0]])
    {
        NodeAttributes.Read(node);
        _fusedTranspose = fusedTranspose;
    }

    /// <summary>
    /// This MatMul with its B input replaced by <paramref name="transpose"/>'s input, which that Transpose turned into
    /// B by swapping the last two of its <paramref name="rank"/> axes.
    /// </summary>
    public static MatMulOperator WithTransposedB(NodeProto matMul, NodeProto transpose, int rank)
    {
        if (matMul.Input.Count != 2 || matMul.Output.Count != 1 || matMul.Input[1] != transpose.Output[0])
            throw new ArgumentException($"MatMul node '{matMul.Name}' does not take '{transpose.Output[0]}' as B");
        return new MatMulOperator(matMul, [matMul.Input[0], transpose.Input[0]], transpose.Name) { TransposedRank = rank };
    }

    /// <summary>The rank B must have when B is read transposed (0 when it is not).</summary>
    public int TransposedRank { get; private init; }

    public bool ReadsBTransposed => _fusedTranspose is not null;

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        int[] aShape = inputs[0].RequiredShape, bShape = inputs[1].RequiredShape;
        if (aShape.Length == 0 || bShape.Length == 0)
            throw ShapeError($"A {ShapeText(aShape)} and B {ShapeText(bShape)} must both have rank ≥ 1");
        if (ReadsBTransposed && bShape.Length != TransposedRank)
            throw ShapeError($"B (before Transpose node '{_fusedTranspose}') has shape {ShapeText(bShape)}, the transpose needs rank {TransposedRank}");

        var (m, k, bK, n) = Dimensions(aShape, bShape);
        if (k != bK)
            throw ShapeError($"A {ShapeText(aShape)} has {k} columns but B {(ReadsBTransposed ? "transposed from " : "")}{ShapeText(bShape)} has {bK} rows");

        var aVector = aShape.Length == 1;
        var bVector = bShape.Length == 1;
        var aBatch = aVector ? [] : aShape.AsSpan(0, aShape.Length - 2);
        var bBatch = bVector ? [] : bShape.AsSpan(0, bShape.Length - 2);
        var batchRank = Math.Max(aBatch.Length, bBatch.Length);
        if (batchRank > BroadcastShapes.MaxRank)
            throw ShapeError($"batch rank {batchRank} exceeds {BroadcastShapes.MaxRank}");
        var outputShape = new int[batchRank + (aVector ? 0 : 1) + (bVector ? 0 : 1)];
        try
        {
            BroadcastShapes.BroadcastInto(aBatch, bBatch, outputShape);
        }
        catch (ArgumentException)
        {
            throw ShapeError($"the batch dimensions of A {ShapeText(aShape)} and B {ShapeText(bShape)} do not broadcast");
        }
        if (!aVector) outputShape[batchRank] = m;
        if (!bVector) outputShape[^1] = n;
        outputs[0] = outputShape;
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        TensorView<float> a = inputs[0].As<float>(), b = inputs[1].As<float>(), destination = outputs[0].As<float>();
        int[] aShape = a.Shape, bShape = b.Shape;
        var (m, k, _, n) = Dimensions(aShape, bShape);
        var aBatch = aShape.Length == 1 ? [] : aShape.AsSpan(0, aShape.Length - 2);
        var bBatch = bShape.Length == 1 ? [] : bShape.AsSpan(0, bShape.Length - 2);
        Span<int> batch = stackalloc int[Math.Max(aBatch.Length, bBatch.Length)];
        BroadcastShapes.BroadcastInto(aBatch, bBatch, batch);
        var batchCount = Tensor.ElementCount(batch);
        if (Tensor.ElementCount(bBatch) == 1)
        {
            // Every batch item multiplies the same B: stack A's batch into the rows of one GEMM.
            Multiply(a.Span, b.Span, destination.Span, batchCount * m, k, n);
            return;
        }

        var aMatrix = m * k;
        var bMatrix = k * n;
        var cMatrix = m * n;
        Span<int> aStrides = stackalloc int[batch.Length];
        Span<int> bStrides = stackalloc int[batch.Length];
        BroadcastShapes.Strides(aBatch, Tensor.ElementCount(aBatch), batch, aStrides, "A");
        BroadcastShapes.Strides(bBatch, Tensor.ElementCount(bBatch), batch, bStrides, "B");
        for (var item = 0; item < batchCount; item++)
        {
            int aItem = 0, bItem = 0, rest = item;
            for (var axis = batch.Length - 1; axis >= 0; axis--)
            {
                var index = rest % batch[axis];
                rest /= batch[axis];
                aItem += index * aStrides[axis];
                bItem += index * bStrides[axis];
            }
            Multiply(a.Span.Slice(aItem * aMatrix, aMatrix), b.Span.Slice(bItem * bMatrix, bMatrix),
                destination.Span.Slice(item * cMatrix, cMatrix), m, k, n);
        }
    }

    /// <summary>Rows of A, columns of A, rows of B (as multiplied, after the fused transpose), columns of B.</summary>
    private (int M, int K, int BK, int N) Dimensions(int[] aShape, int[] bShape)
    {
        var m = aShape.Length == 1 ? 1 : aShape[^2];
        var k = aShape[^1];
        if (ReadsBTransposed) return (m, k, bShape[^1], bShape[^2]);
        if (bShape.Length == 1) return (m, k, bShape[0], 1);
        return (m, k, bShape[^2], bShape[^1]);
    }

    private void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        if (ReadsBTransposed) GemmKernel.MultiplyTransposed(a, b, c, m, k, n);
        else GemmKernel.Multiply(a, b, c, m, k, n);
    }
}

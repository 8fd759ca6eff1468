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

    public MatMulOperator(NodeProto node) : this(node, node.Input.Count == 2 ? [node.Input[0], node.Input[1]] : null, null)
    {
    }

    private MatMulOperator(NodeProto node, IReadOnlyList<string>? inputs, string? fusedTranspose)
        : base(node, inputs ?? throw new BackendUnavailableException($"MatMul node '{node.Name}' has {node.Input.Count} inputs, expected 2"))
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
        if (matMul.Input.Count != 2 || matMul.Input[1] != transpose.Output[0])
            throw new ArgumentException($"MatMul node '{matMul.Name}' does not take '{transpose.Output[0]}' as B");
        return new MatMulOperator(matMul, [matMul.Input[0], transpose.Input[0]], transpose.Name) { TransposedRank = rank };
    }

    /// <summary>The rank B must have when B is read transposed (0 when it is not).</summary>
    public int TransposedRank { get; private init; }

    public bool ReadsBTransposed => _fusedTranspose is not null;

    public override Tensor Run(ReadOnlySpan<Tensor> inputs)
    {
        var a = inputs[0];
        var b = inputs[1];
        int[] aShape = a.Shape, bShape = b.Shape;
        if (aShape.Length == 0 || bShape.Length == 0)
            throw ShapeError($"A {ShapeText(aShape)} and B {ShapeText(bShape)} must both have rank ≥ 1");
        if (ReadsBTransposed && bShape.Length != TransposedRank)
            throw ShapeError($"B (before Transpose node '{_fusedTranspose}') has shape {ShapeText(bShape)}, the transpose needs rank {TransposedRank}");

        var aVector = aShape.Length == 1;
        var bVector = bShape.Length == 1;
        var m = aVector ? 1 : aShape[^2];
        var k = aShape[^1];
        int bK, n;
        if (ReadsBTransposed) (bK, n) = (bShape[^1], bShape[^2]);
        else if (bVector) (bK, n) = (bShape[0], 1);
        else (bK, n) = (bShape[^2], bShape[^1]);
        if (k != bK)
            throw ShapeError($"A {ShapeText(aShape)} has {k} columns but B {(ReadsBTransposed ? "transposed from " : "")}{ShapeText(bShape)} has {bK} rows");

        var aBatch = aVector ? [] : aShape.AsSpan(0, aShape.Length - 2);
        var bBatch = bVector ? [] : bShape.AsSpan(0, bShape.Length - 2);
        var batchRank = Math.Max(aBatch.Length, bBatch.Length);
        if (batchRank > BroadcastShapes.MaxRank)
            throw ShapeError($"batch rank {batchRank} exceeds {BroadcastShapes.MaxRank}");
        Span<int> batch = stackalloc int[batchRank];
        try
        {
            BroadcastShapes.BroadcastInto(aBatch, bBatch, batch);
        }
        catch (ArgumentException)
        {
            throw ShapeError($"the batch dimensions of A {ShapeText(aShape)} and B {ShapeText(bShape)} do not broadcast");
        }

        var outputShape = new int[batch.Length + (aVector ? 0 : 1) + (bVector ? 0 : 1)];
        batch.CopyTo(outputShape);
        if (!aVector) outputShape[batch.Length] = m;
        if (!bVector) outputShape[^1] = n;
        var output = Tensor.Rent(outputShape);

        var aMatrix = m * k;
        var bMatrix = k * n;
        var cMatrix = m * n;
        var batchCount = Tensor.ElementCount(batch);
        if (Tensor.ElementCount(bBatch) == 1)
        {
            // Every batch item multiplies the same B: stack A's batch into the rows of one GEMM.
            Multiply(a.Span, b.Span, output.Span, batchCount * m, k, n);
            return output;
        }

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
                output.Span.Slice(item * cMatrix, cMatrix), m, k, n);
        }
        return output;
    }

    private void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        if (ReadsBTransposed) GemmKernel.MultiplyTransposed(a, b, c, m, k, n);
        else GemmKernel.Multiply(a, b, c, m, k, n);
    }
}

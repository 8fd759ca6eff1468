using System.Numerics.Tensors;
using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Gemm (opset 13+) over float32: Y = alpha · A′ · B′ + beta · C, where A′ is A <c>[M,K]</c> or, with
/// <c>transA</c>, the transpose of A <c>[K,M]</c>; B′ likewise with <c>transB</c>; and the optional C broadcasts
/// one way to <c>[M,N]</c> (scalar, <c>[N]</c>, <c>[1,N]</c>, <c>[M,1]</c> or <c>[M,N]</c>). transB = 1, which
/// torch's nn.Linear exports, multiplies by B's rows directly (A·Bᵀ); transA = 1 transposes A into pooled scratch
/// first, the one case that rents memory during a run. beta = 0 ignores C, as ONNX Runtime does.
/// </summary>
public sealed class GemmOperator : Operator
{
    // A field, not an inline [1, 0]: a collection expression argument allocates an array on each call in Debug builds.
    private static readonly int[] SwapAxes = [1, 0];

    private readonly float _alpha;
    private readonly float _beta;
    private readonly bool _transA;
    private readonly bool _transB;

    public GemmOperator(NodeProto node) : base(node, 2, 3)
    {
        var attributes = NodeAttributes.Read(node, "alpha", "beta", "transA", "transB");
        _alpha = attributes.Float("alpha", 1f);
        _beta = attributes.Float("beta", 1f);
        _transA = attributes.Int("transA", 0) != 0;
        _transB = attributes.Int("transB", 0) != 0;
    }

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        int[] a = inputs[0].RequiredShape, b = inputs[1].RequiredShape;
        if (a.Length != 2 || b.Length != 2)
            throw ShapeError($"A {ShapeText(a)} and B {ShapeText(b)} must both be matrices");
        var (m, k) = _transA ? (a[1], a[0]) : (a[0], a[1]);
        var (bK, n) = _transB ? (b[1], b[0]) : (b[0], b[1]);
        if (k != bK)
            throw ShapeError($"A{(_transA ? "ᵀ" : "")} of {ShapeText(a)} has {k} columns but B{(_transB ? "ᵀ" : "")} of {ShapeText(b)} has {bK} rows");
        if (inputs.Length > 2 && inputs[2].IsPresent)
        {
            var c = inputs[2].RequiredShape;
            var (cRows, cColumns) = BiasLayout(c);
            if (c.Length > 2 || cRows != 1 && cRows != m || cColumns != 1 && cColumns != n)
                throw ShapeError($"C {ShapeText(c)} does not broadcast to the result [{m}, {n}]");
        }
        outputs[0] = [m, n];
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        TensorView<float> a = inputs[0].As<float>(), b = inputs[1].As<float>(), y = outputs[0].As<float>();
        var (m, n) = (y.Shape[0], y.Shape[1]);
        var k = _transA ? a.Shape[0] : a.Shape[1];
        var result = y.Span;
        if (k == 0) result.Clear();
        else if (_transA)
        {
            var rented = TensorPool<float>.Shared.Rent(a.Length);
            try
            {
                var aTransposed = rented.AsSpan(0, a.Length);
                TransposeKernel.Transpose(a.Span, a.Shape, SwapAxes, aTransposed);
                Multiply(aTransposed, b.Span, result, m, k, n);
            }
            finally
            {
                TensorPool<float>.Shared.Return(rented);
            }
        }
        else Multiply(a.Span, b.Span, result, m, k, n);

        if (_alpha != 1f) TensorPrimitives.Multiply(result, _alpha, result);
        if (inputs.Length > 2 && inputs[2].Shape is not null && _beta != 0f) AddBias(inputs[2].As<float>(), result, m, n);
    }

    private void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, int m, int k, int n)
    {
        if (_transB) GemmKernel.MultiplyTransposed(a, b, y, m, k, n);
        else GemmKernel.Multiply(a, b, y, m, k, n);
    }

    /// <summary>y += beta · C, C read as <c>[rows, columns]</c> with rows 1 or M and columns 1 or N.</summary>
    private void AddBias(TensorView<float> c, Span<float> y, int m, int n)
    {
        var (rows, columns) = BiasLayout(c.Shape);
        var bias = c.Span;
        if (rows == m && columns == n)
        {
            // A [1,1] bias of a 1×1 result also lands here: the same single element either way.
            if (_beta == 1f) TensorPrimitives.Add(y, bias, y);
            else TensorPrimitives.MultiplyAdd(bias, _beta, y, y);
            return;
        }
        for (var i = 0; i < m; i++)
        {
            var row = y.Slice(i * n, n);
            if (columns == 1) TensorPrimitives.Add(row, _beta * bias[rows == 1 ? 0 : i], row);
            else if (_beta == 1f) TensorPrimitives.Add(row, bias, row);
            else TensorPrimitives.MultiplyAdd(bias, _beta, row, row);
        }
    }

    /// <summary>C's shape left-padded with ones to two axes.</summary>
    private static (int Rows, int Columns) BiasLayout(int[] c) => c.Length switch
    {
        0 => (1, 1),
        1 => (1, c[0]),
        _ => (c[^2], c[^1]),
    };
}

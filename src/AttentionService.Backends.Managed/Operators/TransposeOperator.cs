using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Transpose, of any element type: output axis i is input axis perm[i]; without perm the axes are reversed. FLOAT
/// runs the tiled kernel; INT64 and BOOL (masks, shape values) the generic one.
/// </summary>
public sealed class TransposeOperator : Operator
{
    private readonly int[]? _perm;

    public TransposeOperator(NodeProto node) : base(node, 1, 1)
    {
        var perm = NodeAttributes.Read(node, "perm").Ints("perm");
        if (perm is null) return;
        if (perm.Length > TransposeKernel.MaxRank || perm.Any(p => p < 0 || p >= perm.Length) || perm.Distinct().Count() != perm.Length)
            throw new BackendUnavailableException($"Transpose node '{node.Name}' has perm ({string.Join(", ", perm)}), which is not a permutation of 0..{perm.Length - 1} (rank ≤ {TransposeKernel.MaxRank})");
        _perm = perm.Select(p => (int)p).ToArray();
    }

    /// <summary>The perm attribute, or null when the axes are reversed.</summary>
    public IReadOnlyList<int>? Perm => _perm;

    /// <summary>Whether this Transpose swaps exactly the last two axes (what MatMul can absorb).</summary>
    public bool SwapsLastTwoAxes =>
        _perm is { Length: >= 2 } perm && perm[^1] == perm.Length - 2 && perm[^2] == perm.Length - 1
        && perm.Take(perm.Length - 2).Select((p, i) => p == i).All(same => same);

    public override void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs) => outputs[0] = inputs[0]!.Value;

    public override void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs)
    {
        var input = inputs[0].RequiredShape;
        var rank = input.Length;
        if (rank > TransposeKernel.MaxRank)
            throw ShapeError($"input has rank {rank}; at most {TransposeKernel.MaxRank} is supported");
        if (_perm is not null && _perm.Length != rank)
            throw ShapeError($"perm ({string.Join(", ", _perm)}) has {_perm.Length} axes but the input {ShapeText(input)} has rank {rank}");
        var shape = new int[rank];
        for (var i = 0; i < rank; i++) shape[i] = input[_perm?[i] ?? rank - 1 - i];
        outputs[0] = shape;
    }

    public override void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs)
    {
        var x = inputs[0];
        var rank = x.Rank;
        Span<int> perm = stackalloc int[rank];
        for (var i = 0; i < rank; i++) perm[i] = _perm?[i] ?? rank - 1 - i;
        switch (x.ElementType)
        {
            case TensorElementType.Float32: TransposeKernel.Transpose(x.As<float>().Span, x.Shape, perm, outputs[0].As<float>().Span); break;
            case TensorElementType.Int64: TransposeKernel.Transpose<long>(x.As<long>().Span, x.Shape, perm, outputs[0].As<long>().Span); break;
            default: TransposeKernel.Transpose<bool>(x.As<bool>().Span, x.Shape, perm, outputs[0].As<bool>().Span); break;
        }
    }
}

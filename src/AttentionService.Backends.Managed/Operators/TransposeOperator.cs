using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Transpose: output axis i is input axis perm[i]; without perm the axes are reversed.</summary>
public sealed class TransposeOperator : Operator
{
    private readonly int[]? _perm;

    public TransposeOperator(NodeProto node) : base(node, [SingleInput(node)])
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

    public override int[] OutputShape(ReadOnlySpan<int[]> inputShapes)
    {
        var input = inputShapes[0];
        var rank = input.Length;
        if (rank > TransposeKernel.MaxRank)
            throw ShapeError($"input has rank {rank}; at most {TransposeKernel.MaxRank} is supported");
        if (_perm is not null && _perm.Length != rank)
            throw ShapeError($"perm ({string.Join(", ", _perm)}) has {_perm.Length} axes but the input {ShapeText(input)} has rank {rank}");
        var shape = new int[rank];
        for (var i = 0; i < rank; i++) shape[i] = input[_perm?[i] ?? rank - 1 - i];
        return shape;
    }

    public override void RunInto(ReadOnlySpan<TensorView<float>> inputs, TensorView<float> destination)
    {
        var x = inputs[0];
        var rank = x.Rank;
        Span<int> perm = stackalloc int[rank];
        for (var i = 0; i < rank; i++) perm[i] = _perm?[i] ?? rank - 1 - i;
        TransposeKernel.Transpose(x.Span, x.Shape, perm, destination.Span);
    }

    internal static string SingleInput(NodeProto node) => node.Input.Count == 1 && node.Input[0].Length > 0
        ? node.Input[0]
        : throw new BackendUnavailableException($"{node.OpType} node '{node.Name}' has {node.Input.Count} inputs ({string.Join(", ", node.Input)}), expected 1");
}

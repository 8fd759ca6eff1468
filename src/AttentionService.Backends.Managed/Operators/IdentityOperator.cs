using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>ONNX Identity: a copy, since every graph value owns its buffer.</summary>
public sealed class IdentityOperator : ElementwiseUnaryOperator
{
    public IdentityOperator(NodeProto node) : base(node) => NodeAttributes.Read(node);

    protected override void Compute(ReadOnlySpan<float> x, Span<float> destination) => x.CopyTo(destination);
}

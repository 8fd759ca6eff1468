using AttentionService.Backends.Managed.Kernels;
using AttentionService.Core.Backends;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// ONNX Cast to FLOAT or BOOL. Every value is stored as float32 (booleans as 0/1), so casting to FLOAT copies and
/// casting to BOOL maps non-zero to 1; other targets would change the numbers and are rejected at load.
/// </summary>
public sealed class CastOperator : ElementwiseUnaryOperator
{
    private const long Float = (long)TensorProto.Types.DataType.Float;
    private const long Bool = (long)TensorProto.Types.DataType.Bool;

    private readonly bool _toBoolean;

    public CastOperator(NodeProto node) : base(node)
    {
        // saturate (opset 19) only concerns float8 targets, which are rejected below.
        var to = NodeAttributes.Read(node, "to", "saturate").RequiredInt("to");
        if (to != Float && to != Bool)
            throw new BackendUnavailableException(
                $"Cast node '{node.Name}' casts to data type {to} ({(TensorProto.Types.DataType)to}); the managed backend computes in float32 and casts only to FLOAT ({Float}) or BOOL ({Bool})");
        _toBoolean = to == Bool;
    }

    protected override void Compute(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (_toBoolean) CastKernel.ToBoolean(x, destination);
        else x.CopyTo(destination);
    }
}

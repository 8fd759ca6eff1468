using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>The ONNX ops (default domain, opset 13–21 semantics) that have a managed kernel, and how each is built.</summary>
public static class OperatorCatalog
{
    private static readonly Dictionary<string, Func<NodeProto, ConstantInputs, Operator>> Factories = new(StringComparer.Ordinal)
    {
        ["Add"] = (node, _) => new AddOperator(node),
        ["Cast"] = (node, _) => new CastOperator(node),
        ["Div"] = (node, _) => new DivOperator(node),
        ["Greater"] = (node, _) => new GreaterOperator(node),
        ["Identity"] = (node, _) => new IdentityOperator(node),
        ["MatMul"] = (node, _) => new MatMulOperator(node),
        ["Mul"] = (node, _) => new MulOperator(node),
        ["Reshape"] = (node, constants) => new ReshapeOperator(node, constants),
        ["Softmax"] = (node, _) => new SoftmaxOperator(node),
        ["Sqrt"] = (node, _) => new SqrtOperator(node),
        ["Squeeze"] = (node, constants) => new SqueezeOperator(node, constants),
        ["Sub"] = (node, _) => new SubOperator(node),
        ["Tanh"] = (node, _) => new TanhOperator(node),
        ["Transpose"] = (node, _) => new TransposeOperator(node),
        ["Unsqueeze"] = (node, constants) => new UnsqueezeOperator(node, constants),
        ["Where"] = (node, _) => new WhereOperator(node),
    };

    /// <summary>The lowest and highest default-domain opset whose semantics these kernels implement.</summary>
    public const long MinOpset = 13, MaxOpset = 21;

    /// <summary>Op types with a managed kernel, sorted.</summary>
    public static IReadOnlyList<string> SupportedOps { get; } = Factories.Keys.Order(StringComparer.Ordinal).ToArray();

    public static bool IsSupported(string opType) => Factories.ContainsKey(opType);

    /// <summary>Builds the operator for <paramref name="node"/>, whose op type must be supported.</summary>
    public static Operator Create(NodeProto node, ConstantInputs constants) => Factories[node.OpType](node, constants);
}

using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>The ONNX ops (default domain) that have a managed kernel, and how each is built.</summary>
public static class OperatorCatalog
{
    private static readonly Dictionary<string, Func<NodeProto, Operator>> Factories = new(StringComparer.Ordinal)
    {
        ["Add"] = node => new AddOperator(node),
        ["Attention"] = node => new AttentionOperator(node),
        ["Cast"] = node => new CastOperator(node),
        ["Concat"] = node => new ConcatOperator(node),
        ["Constant"] = node => new ConstantOperator(node),
        ["ConstantOfShape"] = node => new ConstantOfShapeOperator(node),
        ["Div"] = node => new DivOperator(node),
        ["Dropout"] = node => new DropoutOperator(node),
        ["Equal"] = node => new EqualOperator(node),
        ["Expand"] = node => new ExpandOperator(node),
        ["Flatten"] = node => new FlattenOperator(node),
        ["Gather"] = node => new GatherOperator(node),
        ["Greater"] = node => new GreaterOperator(node),
        ["GreaterOrEqual"] = node => new GreaterOrEqualOperator(node),
        ["GRU"] = node => new GruOperator(node),
        ["Identity"] = node => new IdentityOperator(node),
        ["Less"] = node => new LessOperator(node),
        ["LessOrEqual"] = node => new LessOrEqualOperator(node),
        ["LSTM"] = node => new LstmOperator(node),
        ["MatMul"] = node => new MatMulOperator(node),
        ["Mul"] = node => new MulOperator(node),
        ["Range"] = node => new RangeOperator(node),
        ["Reshape"] = node => new ReshapeOperator(node),
        ["Shape"] = node => new ShapeOperator(node),
        ["Size"] = node => new SizeOperator(node),
        ["Slice"] = node => new SliceOperator(node),
        ["Softmax"] = node => new SoftmaxOperator(node),
        ["Split"] = node => new SplitOperator(node),
        ["Sqrt"] = node => new SqrtOperator(node),
        ["Squeeze"] = node => new SqueezeOperator(node),
        ["Sub"] = node => new SubOperator(node),
        ["Tanh"] = node => new TanhOperator(node),
        ["Tile"] = node => new TileOperator(node),
        ["Transpose"] = node => new TransposeOperator(node),
        ["Trilu"] = node => new TriluOperator(node),
        ["Unsqueeze"] = node => new UnsqueezeOperator(node),
        ["Where"] = node => new WhereOperator(node),
    };

    /// <summary>The lowest and highest default-domain opset whose semantics these kernels implement.</summary>
    public const long MinOpset = 13, MaxOpset = 23;

    /// <summary>Op types with a managed kernel, sorted.</summary>
    public static IReadOnlyList<string> SupportedOps { get; } = Factories.Keys.Order(StringComparer.Ordinal).ToArray();

    public static bool IsSupported(string opType) => Factories.ContainsKey(opType);

    /// <summary>Builds the operator for <paramref name="node"/>, whose op type must be supported.</summary>
    public static Operator Create(NodeProto node) => Factories[node.OpType](node);
}

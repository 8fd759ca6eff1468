using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>The ONNX ops (default domain) that have a managed kernel, and how each is built.</summary>
public static class OperatorCatalog
{
    private static readonly Dictionary<string, Func<NodeProto, Operator>> Factories = new(StringComparer.Ordinal)
    {
        ["Abs"] = node => new AbsOperator(node),
        ["Add"] = node => new ArithmeticOperator<Arithmetic.Add>(node),
        ["And"] = node => new LogicalOperator<Logic.And>(node),
        ["ArgMax"] = node => new ArgMaxOperator(node),
        ["Attention"] = node => new AttentionOperator(node),
        ["Cast"] = node => new CastOperator(node),
        ["Concat"] = node => new ConcatOperator(node),
        ["Constant"] = node => new ConstantOperator(node),
        ["ConstantOfShape"] = node => new ConstantOfShapeOperator(node),
        ["Div"] = node => new ArithmeticOperator<Arithmetic.Divide>(node),
        ["Dropout"] = node => new DropoutOperator(node),
        ["Einsum"] = node => new EinsumOperator(node),
        ["Equal"] = node => new ComparisonOperator<Comparison.Equal>(node),
        ["Erf"] = node => new ErfOperator(node),
        ["Exp"] = node => new ExpOperator(node),
        ["Expand"] = node => new ExpandOperator(node),
        ["Flatten"] = node => new FlattenOperator(node),
        ["GRU"] = node => new GruOperator(node),
        ["Gather"] = node => new GatherOperator(node),
        ["Gemm"] = node => new GemmOperator(node),
        ["Greater"] = node => new ComparisonOperator<Comparison.Greater>(node),
        ["GreaterOrEqual"] = node => new ComparisonOperator<Comparison.GreaterOrEqual>(node),
        ["Identity"] = node => new IdentityOperator(node),
        ["LSTM"] = node => new LstmOperator(node),
        ["LayerNormalization"] = node => new LayerNormalizationOperator(node),
        ["Less"] = node => new ComparisonOperator<Comparison.Less>(node),
        ["LessOrEqual"] = node => new ComparisonOperator<Comparison.LessOrEqual>(node),
        ["Log"] = node => new LogOperator(node),
        ["LogSoftmax"] = node => new LogSoftmaxOperator(node),
        ["MatMul"] = node => new MatMulOperator(node),
        ["Max"] = node => new ExtremumOperator<Extremum.Max>(node),
        ["Min"] = node => new ExtremumOperator<Extremum.Min>(node),
        ["Mul"] = node => new ArithmeticOperator<Arithmetic.Multiply>(node),
        ["Neg"] = node => new NegOperator(node),
        ["Not"] = node => new NotOperator(node),
        ["Or"] = node => new LogicalOperator<Logic.Or>(node),
        ["Pow"] = node => new PowOperator(node),
        ["Range"] = node => new RangeOperator(node),
        ["Reciprocal"] = node => new ReciprocalOperator(node),
        ["ReduceMax"] = node => new ReduceMaxOperator(node),
        ["ReduceMean"] = node => new ReduceMeanOperator(node),
        ["ReduceSum"] = node => new ReduceSumOperator(node),
        ["Relu"] = node => new ReluOperator(node),
        ["Reshape"] = node => new ReshapeOperator(node),
        ["Shape"] = node => new ShapeOperator(node),
        ["Sigmoid"] = node => new SigmoidOperator(node),
        ["Size"] = node => new SizeOperator(node),
        ["Slice"] = node => new SliceOperator(node),
        ["Softmax"] = node => new SoftmaxOperator(node),
        ["Split"] = node => new SplitOperator(node),
        ["Sqrt"] = node => new SqrtOperator(node),
        ["Squeeze"] = node => new SqueezeOperator(node),
        ["Sub"] = node => new ArithmeticOperator<Arithmetic.Subtract>(node),
        ["Tanh"] = node => new TanhOperator(node),
        ["Tile"] = node => new TileOperator(node),
        ["Transpose"] = node => new TransposeOperator(node),
        ["Trilu"] = node => new TriluOperator(node),
        ["Unsqueeze"] = node => new UnsqueezeOperator(node),
        ["Where"] = node => new WhereOperator(node),
        ["Xor"] = node => new LogicalOperator<Logic.Xor>(node),
    };

    /// <summary>The lowest and highest default-domain opset whose semantics these kernels implement.</summary>
    public const long MinOpset = 13, MaxOpset = 23;

    /// <summary>Op types with a managed kernel, sorted.</summary>
    public static IReadOnlyList<string> SupportedOps { get; } = Factories.Keys.Order(StringComparer.Ordinal).ToArray();

    public static bool IsSupported(string opType) => Factories.ContainsKey(opType);

    /// <summary>Builds the operator for <paramref name="node"/>, whose op type must be supported.</summary>
    public static Operator Create(NodeProto node) => Factories[node.OpType](node);
}

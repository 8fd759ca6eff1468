using AttentionService.Core.Backends;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;
using static AttentionService.Tests.Managed.Operators.NodeInput;

namespace AttentionService.Tests.Managed.Operators;

/// <summary>
/// A warmed-up run of each of these operators into the same outputs allocates nothing on its thread: kernels work
/// on spans, small index arithmetic lives on the stack, and the few that need scratch (Gemm's transA, Einsum's
/// permutations) rent it from the shared pool and return it.
/// </summary>
public class AllocationFreeRunTests
{
    public static TheoryData<string> Cases() =>
    [
        "Exp", "Log", "Reciprocal", "Sigmoid", "Erf", "Neg", "Abs", "Relu", "Pow", "Not", "And", "Or", "Xor",
        "LogSoftmax", "LogSoftmaxStrided", "ReduceSum", "ReduceMean", "ReduceMax", "ArgMax",
        "Gemm", "GemmTransposedA", "Einsum", "EinsumPermuted", "EinsumSum", "LayerNormalization", "LayerNormalizationWithStatistics", "Max", "Min",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void WarmedUpRunAllocatesNothing(string name)
    {
        var (model, inputs) = Model(name);
        using var backend = model.LoadManaged();
        var feeds = inputs.Where(i => !i.IsInitializer).Select(i => i.Value).ToArray();
        using var outputs = new RentedOutputs(backend.Signature.Outputs.Count);
        for (var i = 0; i < 20; i++) backend.Run(feeds, outputs, CancellationToken.None);
        var least = long.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 10; i++) backend.Run(feeds, outputs, CancellationToken.None);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }

    private static (OneNodeModel, NodeInput[]) Model(string name)
    {
        var x = Floats("x", ScalarReference.Random(81, 4 * 6 * 40, 0.1f, 2f), 4, 6, 40);
        var mask = Bools("m", ScalarReference.Random(82, 6 * 40).Select(v => v > 0).ToArray(), 6, 40);
        NodeInput[] inputs = name switch
        {
            "Pow" => [x, Floats("e", [2.5f]).AsInitializer()],
            "Not" => [mask],
            "And" or "Or" or "Xor" => [mask, Bools("n", new bool[40], 40).AsInitializer()],
            "ReduceSum" or "ReduceMean" or "ReduceMax" => [x, Int64s("axes", [0, 2], 2).AsInitializer()],
            "Gemm" => [Floats("a", ScalarReference.Random(83, 8 * 40), 8, 40), Floats("b", ScalarReference.Random(84, 16 * 40), 16, 40).AsInitializer(), Floats("c", new float[16], 16).AsInitializer()],
            "GemmTransposedA" => [Floats("a", ScalarReference.Random(83, 8 * 40), 40, 8), Floats("b", ScalarReference.Random(84, 16 * 40), 40, 16).AsInitializer()],
            "Einsum" or "EinsumPermuted" => [Floats("q", ScalarReference.Random(85, 2 * 5 * 3 * 8), 2, 3, 5, 8), Floats("k", ScalarReference.Random(86, 2 * 7 * 3 * 8), 2, 3, 7, 8)],
            "EinsumSum" => [x],
            "Max" or "Min" => [x, Floats("w", ScalarReference.Random(88, 40), 40).AsInitializer(), Floats("z", [0.5f]).AsInitializer()],
            "LayerNormalization" or "LayerNormalizationWithStatistics" => [x, Floats("s", ScalarReference.Random(87, 40), 40).AsInitializer(), Floats("b", new float[40], 40).AsInitializer()],
            _ => [x],
        };
        var opType = name switch
        {
            "LogSoftmaxStrided" => "LogSoftmax",
            "GemmTransposedA" => "Gemm",
            "EinsumPermuted" or "EinsumSum" => "Einsum",
            "LayerNormalizationWithStatistics" => "LayerNormalization",
            _ => name,
        };
        AttributeProto[] attributes = name switch
        {
            "LogSoftmaxStrided" => [GraphBuilder.Attribute("axis", 1L)],
            "GemmTransposedA" => [GraphBuilder.Attribute("transA", 1L)],
            "Gemm" => [GraphBuilder.Attribute("transB", 1L)],
            "Einsum" => [GraphBuilder.Attribute("equation", "bhqd,bhkd->bhqk")],
            "EinsumPermuted" => [GraphBuilder.Attribute("equation", "bhqd,bhkd->bqhk")],
            "EinsumSum" => [GraphBuilder.Attribute("equation", "ijk->j")],
            _ => [],
        };
        var outputType = name switch
        {
            "Not" or "And" or "Or" or "Xor" => TensorProto.Types.DataType.Bool,
            "ArgMax" => TensorProto.Types.DataType.Int64,
            _ => TensorProto.Types.DataType.Float,
        };
        (string?, TensorProto.Types.DataType)[] outputs = name == "LayerNormalizationWithStatistics"
            ? [("y", outputType), ("mean", outputType), ("inverse", outputType)]
            : [("y", outputType)];
        var opset = name.StartsWith("Reduce", StringComparison.Ordinal) ? 18 : OnnxVersions.Opset;
        return (new OneNodeModel(opType, inputs, outputs, attributes, opset), inputs);
    }
}

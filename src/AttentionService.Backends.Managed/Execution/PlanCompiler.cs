using AttentionService.Backends.Managed.Operators;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Onnx;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>
/// Compiles an ONNX model into an <see cref="ExecutionPlan"/>: checks the opset and that every op has a managed
/// kernel, builds the operators, folds a last-two-axes Transpose into the MatMul that consumes it and the masked
/// softmax chain into one operator (<see cref="MaskedSoftmaxFusion"/>), orders the nodes
/// topologically (validating that every value read is produced), and computes where each intermediate dies.
/// Anything the managed backend cannot serve is a <see cref="BackendUnavailableException"/> saying why.
/// </summary>
internal static class PlanCompiler
{
    /// <summary>The most tensors an operator reads (Where's three).</summary>
    public const int MaxArity = 3;

    public static ExecutionPlan Compile(ModelProto model, ModelSignature signature)
    {
        var graph = model.Graph ?? throw new BackendUnavailableException("the model has no graph");
        CheckOpset(model);
        CheckOps(graph);

        var floatConstants = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var int64Constants = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var otherConstants = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer)
        {
            switch ((TensorProto.Types.DataType)initializer.DataType)
            {
                case TensorProto.Types.DataType.Float: floatConstants[initializer.Name] = InitializerData.ToFloats(initializer); break;
                case TensorProto.Types.DataType.Int64: int64Constants[initializer.Name] = InitializerData.ToInt64s(initializer); break;
                default: otherConstants[initializer.Name] = initializer.DataType; break;
            }
        }
        var initializerShapes = graph.Initializer.ToDictionary(t => t.Name, t => t.Dims.Select(d => checked((int)d)).ToArray(), StringComparer.Ordinal);

        var constants = new ConstantInputs(int64Constants);
        var built = graph.Node.Select(node => (Node: node, Operator: OperatorCatalog.Create(node, constants))).ToList();
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        FuseTransposeIntoMatMul(built, graphOutputs);
        // An initializer that is also a graph input is only a default: the caller's value wins, so it is no constant.
        var inputNames = signature.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        MaskedSoftmaxFusion.Apply(built, graphOutputs, floatConstants.Where(c => !inputNames.Contains(c.Key)).ToDictionary(StringComparer.Ordinal));
        var operators = built.Select(b => b.Operator).ToList();

        // Slots: signature inputs, then float initializers, then node outputs.
        var slotOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var input in signature.Inputs)
            slotOf.Add(input.Name, slotOf.Count);
        var initialSlots = new List<TensorView<float>>(new TensorView<float>[slotOf.Count]);
        foreach (var (name, data) in floatConstants)
        {
            if (slotOf.ContainsKey(name)) continue;
            slotOf.Add(name, slotOf.Count);
            var shape = initializerShapes[name];
            if (Tensor.ElementCount(shape) != data.Length)
                throw new BackendUnavailableException($"initializer '{name}' has {data.Length} numbers, its shape [{string.Join(", ", shape)}] needs {Tensor.ElementCount(shape)}");
            initialSlots.Add(new TensorView<float>(data, data.Length, shape));
        }
        var producedBy = new Dictionary<string, Operator>(StringComparer.Ordinal);
        foreach (var op in operators)
        {
            if (slotOf.ContainsKey(op.Output) || !producedBy.TryAdd(op.Output, op))
                throw new BackendUnavailableException($"{op.OpType} node '{op.NodeName}' writes '{op.Output}', which is already a graph input, initializer or another node's output");
            slotOf.Add(op.Output, slotOf.Count);
            initialSlots.Add(default);
        }

        var ordered = TopologicalOrder(operators, slotOf, producedBy, int64Constants, otherConstants);
        var outputSlots = signature.Outputs.Select(o => slotOf.TryGetValue(o.Name, out var slot)
            ? slot
            : throw new BackendUnavailableException($"graph output '{o.Name}' is not produced by any node, input or initializer")).ToArray();

        var intermediate = new bool[slotOf.Count];
        foreach (var op in ordered) intermediate[slotOf[op.Output]] = true;
        var lastReader = Enumerable.Repeat(-1, slotOf.Count).ToArray();
        for (var step = 0; step < ordered.Count; step++)
            foreach (var input in ordered[step].TensorInputs)
                lastReader[slotOf[input]] = step;
        var kept = outputSlots.ToHashSet();
        bool Disposable(int slot) => intermediate[slot] && !kept.Contains(slot);
        var steps = new PlanStep[ordered.Count];
        for (var step = 0; step < ordered.Count; step++)
        {
            var op = ordered[step];
            var inputSlots = op.TensorInputs.Select(i => slotOf[i]).ToArray();
            var outputSlot = slotOf[op.Output];
            var release = inputSlots.Distinct().Where(slot => Disposable(slot) && lastReader[slot] == step).ToList();
            if (Disposable(outputSlot) && lastReader[outputSlot] < 0) release.Add(outputSlot);
            steps[step] = new PlanStep(op, inputSlots, outputSlot, [.. release]);
        }
        return new ExecutionPlan(slotOf.Count, [.. initialSlots], signature.Inputs.Count, steps, outputSlots,
            signature.Outputs.Select(o => o.Name).ToArray(), intermediate);
    }

    private static void CheckOpset(ModelProto model)
    {
        var imports = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").ToArray();
        if (imports.Length == 0)
            throw new BackendUnavailableException("the model imports no opset of the default ONNX domain");
        var version = imports.Max(o => o.Version);
        if (version < OperatorCatalog.MinOpset || version > OperatorCatalog.MaxOpset)
            throw new BackendUnavailableException(
                $"the model imports opset {version} of the default ONNX domain; managed kernels implement opsets {OperatorCatalog.MinOpset} to {OperatorCatalog.MaxOpset}");
    }

    private static void CheckOps(GraphProto graph)
    {
        var missing = graph.Node
            .Where(n => n.Domain is not ("" or "ai.onnx") || !OperatorCatalog.IsSupported(n.OpType))
            .Select(n => $"'{(n.Domain is "" or "ai.onnx" ? "" : n.Domain + ".")}{n.OpType}' (node '{n.Name}')")
            .ToArray();
        if (missing.Length > 0)
            throw new BackendUnavailableException(
                $"no managed kernel for op{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing)}; managed ops are {string.Join(", ", OperatorCatalog.SupportedOps)}");
        foreach (var input in graph.Input)
        {
            if (graph.Initializer.Any(t => t.Name == input.Name)) continue;
            var type = input.Type?.TensorType?.ElemType;
            if (type != (int)TensorProto.Types.DataType.Float)
                throw new BackendUnavailableException($"graph input '{input.Name}' has element type {type}; the managed backend takes FLOAT (1) inputs only");
        }
    }

    /// <summary>
    /// A Transpose that only swaps the last two axes and whose output only feeds MatMuls as B is dropped: those
    /// MatMuls multiply by the transpose directly (A·Bᵀ reads both operands along contiguous rows).
    /// </summary>
    private static void FuseTransposeIntoMatMul(List<(NodeProto Node, Operator Operator)> built, HashSet<string> graphOutputs)
    {
        foreach (var (transposeNode, op) in built.Where(b => b.Operator is TransposeOperator { SwapsLastTwoAxes: true }).ToArray())
        {
            var transpose = (TransposeOperator)op;
            if (graphOutputs.Contains(transpose.Output)) continue;
            var readers = built.Select((b, index) => (b.Node, b.Operator, Index: index))
                .Where(b => b.Operator.TensorInputs.Contains(transpose.Output)).ToArray();
            if (readers.Length == 0 || readers.Any(r => r.Operator is not MatMulOperator { ReadsBTransposed: false } matMul
                    || matMul.TensorInputs[0] == transpose.Output || matMul.TensorInputs[1] != transpose.Output))
                continue;
            foreach (var reader in readers)
                built[reader.Index] = (reader.Node, MatMulOperator.WithTransposedB(reader.Node, transposeNode, transpose.Perm!.Count));
            built.RemoveAll(b => ReferenceEquals(b.Operator, transpose));
        }
    }

    private static List<Operator> TopologicalOrder(List<Operator> operators, Dictionary<string, int> slotOf,
        Dictionary<string, Operator> producedBy, Dictionary<string, long[]> int64Constants, Dictionary<string, int> otherConstants)
    {
        var pending = new Dictionary<Operator, int>();
        var readers = new Dictionary<string, List<Operator>>(StringComparer.Ordinal);
        var ready = new Queue<Operator>();
        foreach (var op in operators)
        {
            if (op.TensorInputs.Count > MaxArity)
                throw new BackendUnavailableException($"{op.OpType} node '{op.NodeName}' reads {op.TensorInputs.Count} tensors; at most {MaxArity} are supported");
            var waiting = 0;
            foreach (var input in op.TensorInputs.Distinct())
            {
                if (producedBy.ContainsKey(input))
                {
                    waiting++;
                    (readers.TryGetValue(input, out var list) ? list : readers[input] = []).Add(op);
                }
                else if (!slotOf.ContainsKey(input))
                {
                    throw new BackendUnavailableException(int64Constants.ContainsKey(input) || otherConstants.ContainsKey(input)
                        ? $"{op.OpType} node '{op.NodeName}' reads '{input}' as a tensor, but it is a {(int64Constants.ContainsKey(input) ? "INT64" : $"type {otherConstants[input]}")} initializer; the managed backend computes in float32 and reads INT64 only as Reshape shapes and Squeeze/Unsqueeze axes"
                        : $"{op.OpType} node '{op.NodeName}' reads '{input}', which no node, graph input or initializer produces");
                }
            }
            pending[op] = waiting;
            if (waiting == 0) ready.Enqueue(op);
        }
        var order = new List<Operator>(operators.Count);
        while (ready.TryDequeue(out var op))
        {
            order.Add(op);
            if (!readers.TryGetValue(op.Output, out var next)) continue;
            foreach (var reader in next)
                if (--pending[reader] == 0) ready.Enqueue(reader);
        }
        if (order.Count != operators.Count)
            throw new BackendUnavailableException(
                $"the graph has a cycle through node(s) {string.Join(", ", operators.Except(order).Select(o => $"'{o.NodeName}'"))}");
        return order;
    }
}

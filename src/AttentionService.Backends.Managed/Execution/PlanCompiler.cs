using AttentionService.Backends.Managed.Kernels;
using AttentionService.Backends.Managed.Operators;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Execution;

/// <summary>
/// Compiles an ONNX model into an <see cref="ExecutionPlan"/>: checks the opset and that every op has a managed
/// kernel, builds the operators, folds a last-two-axes Transpose into the MatMul that consumes it and the masked
/// softmax chain into one operator (<see cref="MaskedSoftmaxFusion"/>), orders the nodes topologically (validating
/// that every value read is produced), infers every value's element type, decides which nodes run when a workspace
/// is planned (their inputs known before the run: shape arithmetic, constants) and which on every run, and computes
/// where each run-time intermediate dies. Anything the managed backend cannot serve is a
/// <see cref="BackendUnavailableException"/> saying why.
/// </summary>
internal static class PlanCompiler
{
    public static ExecutionPlan Compile(ModelProto model, ModelSignature signature)
    {
        var graph = model.Graph ?? throw new BackendUnavailableException("the model has no graph");
        CheckOpset(model);
        CheckOps(graph);

        // An initializer that is also a graph input is only a default: the caller's value wins, so it is no constant.
        var inputNames = signature.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var constants = new Dictionary<string, TensorView>(StringComparer.Ordinal);
        var unreadable = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer)
        {
            if (inputNames.Contains(initializer.Name)) continue;
            try
            {
                constants[initializer.Name] = TypedArrays.FromProto(initializer, "initializer");
            }
            catch (BackendUnavailableException e)
            {
                unreadable[initializer.Name] = e.Message;
            }
        }

        var built = graph.Node.Select(node => (Node: node, Operator: OperatorCatalog.Create(node))).ToList();
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        FuseTransposeIntoMatMul(built, graphOutputs);
        MaskedSoftmaxFusion.Apply(built, graphOutputs, constants, KnownBeforeRun(built.Select(b => b.Operator), constants.Keys));
        var operators = built.Select(b => b.Operator).ToList();

        // Slots: signature inputs, then constants, then node outputs (an unused optional output gets a slot of its own).
        var slotOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var initialSlots = new List<TensorView>();
        var types = new List<TensorElementType>();
        foreach (var input in signature.Inputs)
        {
            slotOf.Add(input.Name, slotOf.Count);
            initialSlots.Add(default);
            types.Add(input.ElementType);
        }
        foreach (var (name, value) in constants)
        {
            slotOf.Add(name, slotOf.Count);
            initialSlots.Add(value);
            types.Add(value.ElementType);
        }
        var producedBy = new Dictionary<string, Operator>(StringComparer.Ordinal);
        var outputSlotsOf = new Dictionary<Operator, int[]>();
        foreach (var op in operators)
        {
            var slots = new int[op.Outputs.Count];
            for (var k = 0; k < slots.Length; k++)
            {
                var output = op.Outputs[k];
                if (output.Length == 0)
                {
                    slots[k] = slotOf.Count;
                    slotOf.Add($"\0{op.NodeName}#{k}#{slotOf.Count}", slotOf.Count);
                }
                else
                {
                    if (slotOf.ContainsKey(output) || !producedBy.TryAdd(output, op))
                        throw new BackendUnavailableException($"{op.OpType} node '{op.NodeName}' writes '{output}', which is already a graph input, initializer or another node's output");
                    slots[k] = slotOf.Count;
                    slotOf.Add(output, slotOf.Count);
                }
                initialSlots.Add(default);
                types.Add(default);
            }
            outputSlotsOf[op] = slots;
        }

        var ordered = TopologicalOrder(operators, slotOf, producedBy, unreadable);
        var slotTypes = types.ToArray();
        InferTypes(ordered, slotOf, outputSlotsOf, slotTypes);

        var outputSlots = signature.Outputs.Select(o => slotOf.TryGetValue(o.Name, out var slot)
            ? slot
            : throw new BackendUnavailableException($"graph output '{o.Name}' is not produced by any node, input or initializer")).ToArray();
        for (var o = 0; o < outputSlots.Length; o++)
            if (slotTypes[outputSlots[o]] != signature.Outputs[o].ElementType)
                throw new BackendUnavailableException(
                    $"graph output '{signature.Outputs[o].Name}' is declared {signature.Outputs[o].Datatype} but computes {slotTypes[outputSlots[o]].ToWireName()}");

        var inputCount = signature.Inputs.Count;
        var keyed = KeyedInputs(ordered, slotOf, outputSlotsOf, producedBy, signature);
        var known = KnownBeforeRun(ordered, slotOf, outputSlotsOf, initialSlots.Count, inputCount, keyed, constants.Keys.Select(k => slotOf[k]));

        var steps = new List<PlanStep>(ordered.Count);
        var folded = ordered.Select(op => Folds(op, slotOf, known)).ToArray();
        var lastReader = Enumerable.Repeat(-1, slotOf.Count).ToArray();
        var runIntermediate = new bool[slotOf.Count];
        for (var step = 0; step < ordered.Count; step++)
        {
            if (folded[step]) continue;
            foreach (var input in ordered[step].Inputs)
                if (input.Length > 0) lastReader[slotOf[input]] = step;
            foreach (var slot in outputSlotsOf[ordered[step]]) runIntermediate[slot] = true;
        }
        var kept = outputSlots.ToHashSet();
        bool Disposable(int slot) => runIntermediate[slot] && !kept.Contains(slot);
        for (var step = 0; step < ordered.Count; step++)
        {
            var op = ordered[step];
            var inputSlots = op.Inputs.Select(i => i.Length == 0 ? -1 : slotOf[i]).ToArray();
            var outputs = outputSlotsOf[op];
            var release = new List<int>();
            if (!folded[step])
            {
                release.AddRange(inputSlots.Where(slot => slot >= 0).Distinct().Where(slot => Disposable(slot) && lastReader[slot] == step));
                release.AddRange(outputs.Where(slot => Disposable(slot) && lastReader[slot] < 0));
            }
            steps.Add(new PlanStep(op, inputSlots, outputs, folded[step], [.. release]));
        }
        return new ExecutionPlan([.. initialSlots], slotTypes, inputCount, keyed, [.. steps], outputSlots,
            signature.Outputs.Select(o => o.Name).ToArray());
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
    }

    private static void InferTypes(List<Operator> ordered, Dictionary<string, int> slotOf, Dictionary<Operator, int[]> outputSlotsOf, TensorElementType[] slotTypes)
    {
        foreach (var op in ordered)
        {
            var inputs = op.Inputs.Select(i => i.Length == 0 ? (TensorElementType?)null : slotTypes[slotOf[i]]).ToArray();
            var outputs = new TensorElementType[op.Outputs.Count];
            op.InferTypes(inputs, outputs);
            var slots = outputSlotsOf[op];
            for (var k = 0; k < slots.Length; k++) slotTypes[slots[k]] = outputs[k];
        }
    }

    /// <summary>
    /// The graph inputs a plan is keyed on: INT64 inputs whose values reach an input some node needs before the run
    /// (a Reshape's shape fed by the caller). A value needed before the run that is computed from any other input's
    /// values cannot be planned for, and is refused here.
    /// </summary>
    private static bool[] KeyedInputs(List<Operator> ordered, Dictionary<string, int> slotOf, Dictionary<Operator, int[]> outputSlotsOf,
        Dictionary<string, Operator> producedBy, ModelSignature signature)
    {
        var inputCount = signature.Inputs.Count;
        var candidates = signature.Inputs.Select(i => i.ElementType == TensorElementType.Int64).ToArray();
        var constantSlots = slotOf.Where(s => s.Value >= inputCount && !producedBy.ContainsKey(s.Key) && s.Key[0] != '\0').Select(s => s.Value);
        var known = KnownBeforeRun(ordered, slotOf, outputSlotsOf, slotOf.Count, inputCount, candidates, constantSlots);
        var keyed = new bool[inputCount];
        var pending = new Stack<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in ordered)
            for (var i = 0; i < op.Inputs.Count; i++)
            {
                if (op.Inputs[i].Length == 0 || !op.NeedsValue(i)) continue;
                if (!known[slotOf[op.Inputs[i]]])
                    throw new BackendUnavailableException(
                        $"{op.OpType} node '{op.NodeName}' needs input {i} ('{op.Inputs[i]}') known before the run (a shape, axes, sizes or a mode), but it comes from the values of the model's float or bool inputs");
                pending.Push(op.Inputs[i]);
            }
        while (pending.TryPop(out var value))
        {
            if (!visited.Add(value)) continue;
            var slot = slotOf[value];
            if (slot < inputCount) keyed[slot] = true;
            if (!producedBy.TryGetValue(value, out var producer)) continue;
            for (var j = 0; j < producer.Inputs.Count; j++)
                if (producer.Inputs[j].Length > 0 && !producer.ReadsOnlyShape(j)) pending.Push(producer.Inputs[j]);
        }
        return keyed;
    }

    /// <summary>Per slot: whether its value is known when a workspace is planned, given which graph inputs are.</summary>
    private static bool[] KnownBeforeRun(List<Operator> ordered, Dictionary<string, int> slotOf, Dictionary<Operator, int[]> outputSlotsOf,
        int slotCount, int inputCount, bool[] knownInputs, IEnumerable<int> constantSlots)
    {
        var known = new bool[slotCount];
        for (var i = 0; i < inputCount; i++) known[i] = knownInputs[i];
        foreach (var slot in constantSlots) known[slot] = true;
        foreach (var op in ordered)
        {
            var folds = Folds(op, slotOf, known);
            foreach (var slot in outputSlotsOf[op]) known[slot] = folds;
        }
        return known;
    }

    /// <summary>Whether every input <paramref name="op"/> reads by value is known before the run.</summary>
    private static bool Folds(Operator op, Dictionary<string, int> slotOf, bool[] known)
    {
        for (var i = 0; i < op.Inputs.Count; i++)
            if (op.Inputs[i].Length > 0 && !op.ReadsOnlyShape(i) && !known[slotOf[op.Inputs[i]]]) return false;
        return true;
    }

    /// <summary>The values known before a run from constants and input shapes alone, by name (no input is keyed).</summary>
    private static HashSet<string> KnownBeforeRun(IEnumerable<Operator> operators, IEnumerable<string> constants)
    {
        var known = new HashSet<string>(constants, StringComparer.Ordinal);
        var pending = operators.ToList();
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var op in pending.ToArray())
            {
                if (!op.Inputs.Select((input, i) => input.Length == 0 || op.ReadsOnlyShape(i) || known.Contains(input)).All(k => k)) continue;
                foreach (var output in op.Outputs) if (output.Length > 0) known.Add(output);
                pending.Remove(op);
                changed = true;
            }
        }
        return known;
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
            var output = transpose.Outputs[0];
            if (graphOutputs.Contains(output)) continue;
            var readers = built.Select((b, index) => (b.Node, b.Operator, Index: index))
                .Where(b => b.Operator.Inputs.Contains(output)).ToArray();
            if (readers.Length == 0 || readers.Any(r => r.Operator is not MatMulOperator { ReadsBTransposed: false } matMul
                    || matMul.Inputs[0] == output || matMul.Inputs[1] != output))
                continue;
            foreach (var reader in readers)
                built[reader.Index] = (reader.Node, MatMulOperator.WithTransposedB(reader.Node, transposeNode, transpose.Perm!.Count));
            built.RemoveAll(b => ReferenceEquals(b.Operator, transpose));
        }
    }

    private static List<Operator> TopologicalOrder(List<Operator> operators, Dictionary<string, int> slotOf,
        Dictionary<string, Operator> producedBy, Dictionary<string, string> unreadable)
    {
        var pending = new Dictionary<Operator, int>();
        var readers = new Dictionary<Operator, List<Operator>>();
        var ready = new Queue<Operator>();
        foreach (var op in operators)
        {
            var waiting = new HashSet<Operator>();
            foreach (var input in op.Inputs)
            {
                if (input.Length == 0) continue;
                if (producedBy.TryGetValue(input, out var producer))
                {
                    if (waiting.Add(producer)) (readers.TryGetValue(producer, out var list) ? list : readers[producer] = []).Add(op);
                }
                else if (!slotOf.ContainsKey(input))
                {
                    throw new BackendUnavailableException(unreadable.TryGetValue(input, out var why)
                        ? $"{op.OpType} node '{op.NodeName}' reads {why}"
                        : $"{op.OpType} node '{op.NodeName}' reads '{input}', which no node, graph input or initializer produces");
                }
            }
            pending[op] = waiting.Count;
            if (waiting.Count == 0) ready.Enqueue(op);
        }
        var order = new List<Operator>(operators.Count);
        while (ready.TryDequeue(out var op))
        {
            order.Add(op);
            if (!readers.TryGetValue(op, out var next)) continue;
            foreach (var reader in next)
                if (--pending[reader] == 0) ready.Enqueue(reader);
        }
        if (order.Count != operators.Count)
            throw new BackendUnavailableException(
                $"the graph has a cycle through node(s) {string.Join(", ", operators.Except(order).Select(o => $"'{o.NodeName}'"))}");
        return order;
    }
}

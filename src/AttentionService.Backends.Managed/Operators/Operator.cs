using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// One ONNX node ready to run: built once at load from its <see cref="NodeProto"/> (attributes parsed and validated),
/// then run any number of times, concurrently. Its life has three parts:
/// <list type="number">
/// <item><see cref="InferTypes"/> at load: output element types from the inputs'; a type the kernel does not implement
/// is refused here (<see cref="BackendUnavailableException"/>), never computed wrong.</item>
/// <item><see cref="InferShapes"/> once per input shapes, when a run plans its workspace: output shapes from input
/// shapes and from the values of inputs known before the run (<see cref="NeedsValue"/> inputs always are).</item>
/// <item><see cref="Run"/> every call, into destinations of those shapes, allocating nothing. Inputs are never written.</item>
/// </list>
/// A node whose inputs are all known before the run (or whose output depends only on input shapes, <see cref="ReadsOnlyShape"/>)
/// runs once when the plan is made, so the shape arithmetic exporters write costs nothing per run.
/// </summary>
public abstract class Operator
{
    /// <summary>
    /// Reads the node's inputs and outputs: at least <paramref name="minInputs"/> (present) and at most
    /// <paramref name="maxInputs"/> inputs, optional ones absent as "", and <paramref name="minOutputs"/> to
    /// <paramref name="maxOutputs"/> outputs.
    /// </summary>
    protected Operator(NodeProto node, int minInputs, int maxInputs, int minOutputs = 1, int maxOutputs = 1)
        : this(node, ReadInputs(node, minInputs, maxInputs), ReadOutputs(node, minOutputs, maxOutputs))
    {
    }

    /// <summary>An operator reading <paramref name="inputs"/> and writing <paramref name="outputs"/> (a fused one).</summary>
    protected Operator(NodeProto node, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs)
    {
        OpType = node.OpType;
        NodeName = node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault(o => o.Length > 0) ?? "";
        Inputs = inputs;
        Outputs = outputs;
    }

    public string OpType { get; }

    public string NodeName { get; }

    /// <summary>The graph values the node reads, in the order <see cref="Run"/> receives them; "" for an absent optional input.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>The values the node writes, in order; "" for an optional output nobody reads (the run still gets a scratch destination).</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Whether input <paramref name="input"/>'s value must be known when a plan is made (a shape, axes, repeats).</summary>
    public virtual bool NeedsValue(int input) => false;

    /// <summary>Whether the output depends only on input <paramref name="input"/>'s shape, never its values (Shape, Size).</summary>
    public virtual bool ReadsOnlyShape(int input) => false;

    /// <summary>
    /// Writes the element type of each output for inputs of <paramref name="inputs"/> (null for an absent input).
    /// The default takes float32 inputs only and makes float32 outputs; operators over other types override it.
    /// </summary>
    public virtual void InferTypes(ReadOnlySpan<TensorElementType?> inputs, Span<TensorElementType> outputs)
    {
        for (var i = 0; i < inputs.Length; i++)
            if (inputs[i] is { } type && type != TensorElementType.Float32)
                throw Unsupported($"takes FLOAT inputs; input {i} ('{Inputs[i]}') is {type.ToWireName()}");
        outputs.Fill(TensorElementType.Float32);
    }

    /// <summary>
    /// Writes the shape of each output (new arrays) for inputs described by <paramref name="inputs"/>; a shape the
    /// node cannot take is an <see cref="ArgumentException"/> naming the node (<see cref="ShapeError"/>).
    /// </summary>
    public abstract void InferShapes(ReadOnlySpan<PlanInput> inputs, Span<int[]> outputs);

    /// <summary>
    /// Runs the kernel on <paramref name="inputs"/> (default for an absent one) into <paramref name="outputs"/>, each of
    /// the shape <see cref="InferShapes"/> gave; writes every element of every output, allocates nothing.
    /// </summary>
    public abstract void Run(ReadOnlySpan<TensorView> inputs, ReadOnlySpan<TensorView> outputs);

    /// <summary>A plan-time shape error naming this node.</summary>
    protected ArgumentException ShapeError(string message) => new($"{OpType} node '{NodeName}': {message}");

    /// <summary>A load-time refusal naming this node.</summary>
    protected BackendUnavailableException Unsupported(string message) => new($"{OpType} node '{NodeName}' {message}");

    protected static string ShapeText(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>An axis attribute (negative counts from the end) as an index into <paramref name="shape"/>; out of range is a shape error.</summary>
    protected int ResolveAxis(int axis, ReadOnlySpan<int> shape)
    {
        var rank = shape.Length;
        if (axis < -rank || axis >= rank)
            throw ShapeError($"axis {axis} is outside [{-rank}, {rank - 1}] for input {ShapeText(shape)}");
        return axis < 0 ? axis + rank : axis;
    }

    /// <summary>Refuses an input type outside <paramref name="allowed"/>, naming the input.</summary>
    protected void RequireType(ReadOnlySpan<TensorElementType?> inputs, int input, params TensorElementType[] allowed)
    {
        if (inputs[input] is { } type && Array.IndexOf(allowed, type) < 0)
            throw Unsupported($"takes {string.Join(" or ", allowed.Select(a => a.ToWireName()))} as input {input} ('{Inputs[input]}'), not {type.ToWireName()}");
    }

    private static string[] ReadInputs(NodeProto node, int min, int max)
    {
        if (node.Input.Count < min || node.Input.Count > max)
            throw new BackendUnavailableException(
                $"{node.OpType} node '{node.Name}' has {node.Input.Count} inputs ({string.Join(", ", node.Input)}), expected {(min == max ? $"{min}" : $"{min} to {max}")}");
        for (var i = 0; i < min; i++)
            if (node.Input[i].Length == 0)
                throw new BackendUnavailableException($"{node.OpType} node '{node.Name}' lacks its required input {i}");
        return [.. node.Input];
    }

    private static string[] ReadOutputs(NodeProto node, int min, int max)
    {
        if (node.Output.Count < min || node.Output.Count > max || node.Output.Take(min).Any(o => o.Length == 0))
            throw new BackendUnavailableException(
                $"{node.OpType} node '{node.Name}' has {node.Output.Count} outputs ({string.Join(", ", node.Output)}), the managed kernel writes {(min == max ? $"{min}" : $"{min} to {max}")}");
        return [.. node.Output];
    }
}

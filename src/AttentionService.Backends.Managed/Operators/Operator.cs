using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// One ONNX node ready to run: built once at load from its <see cref="NodeProto"/> (attributes parsed and validated,
/// constant inputs resolved), then run any number of times, concurrently, on the tensors named by
/// <see cref="TensorInputs"/>. A run is split in two: <see cref="OutputShape"/> (once per input shapes, when a run
/// plans its workspace) and <see cref="RunInto"/> (every call, into a destination of that shape, allocating
/// nothing). Inputs are never written.
/// </summary>
public abstract class Operator
{
    protected Operator(NodeProto node, IReadOnlyList<string> tensorInputs)
    {
        OpType = node.OpType;
        NodeName = node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault() ?? "";
        if (node.Output.Count != 1 || node.Output[0].Length == 0)
            throw new Core.Backends.BackendUnavailableException(
                $"{node.OpType} node '{node.Name}' has {node.Output.Count} outputs ({string.Join(", ", node.Output)}); the managed kernel produces exactly 1");
        Output = node.Output[0];
        TensorInputs = tensorInputs;
    }

    public string OpType { get; }

    public string NodeName { get; }

    /// <summary>The graph values read at run time, in the order <see cref="Run"/> receives them.</summary>
    public IReadOnlyList<string> TensorInputs { get; }

    public string Output { get; }

    /// <summary>
    /// The output's shape, as a new array, for inputs of <paramref name="inputShapes"/>; a shape the node cannot take
    /// is an <see cref="ArgumentException"/> naming the node.
    /// </summary>
    public abstract int[] OutputShape(ReadOnlySpan<int[]> inputShapes);

    /// <summary>
    /// Runs the kernel on <paramref name="inputs"/> into <paramref name="destination"/>, whose shape is
    /// <see cref="OutputShape"/> of the inputs' shapes (already checked); writes every element, allocates nothing.
    /// </summary>
    public abstract void RunInto(ReadOnlySpan<TensorView<float>> inputs, TensorView<float> destination);

    /// <summary>Computes the output shape, rents the output and runs the kernel into it; the caller owns the result.</summary>
    public Tensor<float> Run(ReadOnlySpan<TensorView<float>> inputs)
    {
        var shapes = new int[inputs.Length][];
        for (var i = 0; i < inputs.Length; i++) shapes[i] = inputs[i].Shape;
        var output = Tensor.Rent<float>(OutputShape(shapes));
        try
        {
            RunInto(inputs, output);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>A run-time shape error naming this node.</summary>
    protected ArgumentException ShapeError(string message) => new($"{OpType} node '{NodeName}': {message}");

    protected static string ShapeText(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}

using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// One ONNX node ready to run: built once at load from its <see cref="NodeProto"/> (attributes parsed and validated,
/// constant inputs resolved), then run any number of times, concurrently, on the tensors named by
/// <see cref="TensorInputs"/>. Each run returns a new tensor owned by the caller and never touches its inputs.
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

    /// <summary>Computes the output shape from the inputs' shapes, rents the output and runs the kernel.</summary>
    public abstract Tensor Run(ReadOnlySpan<Tensor> inputs);

    /// <summary>A run-time shape error naming this node.</summary>
    protected ArgumentException ShapeError(string message) => new($"{OpType} node '{NodeName}': {message}");

    protected static string ShapeText(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}

using AttentionService.Backends.Managed.Operators;
using AttentionService.Core.Tensors;
using AttentionService.Onnx.Protos;

namespace AttentionService.Tests.Managed;

/// <summary>Builds single nodes and runs operators on plain arrays, for operator tests.</summary>
public static class Nodes
{
    public static NodeProto Node(string opType, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = opType + "_test" };
        node.Input.AddRange(inputs);
        node.Output.Add("out");
        node.Attribute.AddRange(attributes);
        return node;
    }

    /// <summary>
    /// Runs <paramref name="op"/> (single output) on the given tensors, every one known as at plan time, and returns
    /// the output's shape and a copy of its data.
    /// </summary>
    public static (int[] Shape, float[] Data) Run(Operator op, params (float[] Data, int[] Shape)[] inputs) =>
        Run<float>(op, inputs.Select(i => (TensorView)Tensor.Wrap(i.Data, i.Shape).View).ToArray());

    /// <summary>Runs <paramref name="op"/> (single output of <typeparamref name="T"/>) on <paramref name="inputs"/>.</summary>
    public static (int[] Shape, T[] Data) Run<T>(Operator op, params TensorView[] inputs) where T : unmanaged
    {
        var shapes = new int[op.Outputs.Count][];
        op.InferShapes(inputs.Select(i => new PlanInput(i.Shape, i)).ToArray(), shapes);
        using var output = Tensor.Rent<T>(shapes[0]);
        op.Run(inputs, [output]);
        return (output.Shape, output.Span.ToArray());
    }

    /// <summary>An INT64 tensor view.</summary>
    public static TensorView Int64s(params long[] values) => Tensor.Wrap(values, values.Length).View;
}

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

    public static ConstantInputs Constants(params (string Name, long[] Values)[] int64s) =>
        new(int64s.ToDictionary(c => c.Name, c => c.Values));

    /// <summary>Runs <paramref name="op"/> on the given tensors and returns the output's shape and a copy of its data.</summary>
    public static (int[] Shape, float[] Data) Run(Operator op, params (float[] Data, int[] Shape)[] inputs)
    {
        var tensors = inputs.Select(i => Tensor.Wrap(i.Data, i.Shape).View).ToArray();
        using var output = op.Run(tensors);
        return (output.Shape, output.Span.ToArray());
    }
}

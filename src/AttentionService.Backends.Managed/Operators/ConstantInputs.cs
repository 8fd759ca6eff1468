using AttentionService.Core.Backends;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// The graph's INT64 initializers, which operators read at load as constant parameters (Reshape's shape,
/// Unsqueeze/Squeeze axes) rather than as run-time tensors.
/// </summary>
public sealed class ConstantInputs(IReadOnlyDictionary<string, long[]> int64Initializers)
{
    /// <summary>Whether input <paramref name="index"/> of <paramref name="node"/> is present (optional inputs may be absent or "").</summary>
    public static bool Has(NodeProto node, int index) => index < node.Input.Count && node.Input[index].Length > 0;

    /// <summary>The INT64 initializer feeding input <paramref name="index"/> (the node's <paramref name="role"/>).</summary>
    public long[] Int64(NodeProto node, int index, string role)
    {
        if (!Has(node, index))
            throw new BackendUnavailableException($"{node.OpType} node '{node.Name}' lacks its {role} input (input {index})");
        var name = node.Input[index];
        return int64Initializers.TryGetValue(name, out var values)
            ? values
            : throw new BackendUnavailableException(
                $"{node.OpType} node '{node.Name}' takes its {role} from '{name}', which is not an INT64 initializer; the managed backend needs it constant at load");
    }
}

using AttentionService.Core.Backends;
using AttentionService.Onnx.Protos;

namespace AttentionService.Backends.Managed.Operators;

/// <summary>
/// A node's attributes, read at load. An attribute the kernel does not implement is an error rather than silently
/// ignored, so a model never runs with semantics other than its own.
/// </summary>
public sealed class NodeAttributes
{
    private readonly NodeProto _node;

    private NodeAttributes(NodeProto node) => _node = node;

    /// <summary>Reads <paramref name="node"/>'s attributes, rejecting any not in <paramref name="known"/>.</summary>
    public static NodeAttributes Read(NodeProto node, params string[] known)
    {
        foreach (var attribute in node.Attribute)
            if (Array.IndexOf(known, attribute.Name) < 0)
                throw new BackendUnavailableException(
                    $"{node.OpType} node '{node.Name}' has attribute '{attribute.Name}', which the managed kernel does not implement; it knows {(known.Length == 0 ? "none" : string.Join(", ", known))}");
        return new NodeAttributes(node);
    }

    public long Int(string name, long defaultValue) =>
        Find(name, AttributeProto.Types.AttributeType.Int) is { } attribute ? attribute.I : defaultValue;

    public long RequiredInt(string name) =>
        Find(name, AttributeProto.Types.AttributeType.Int)?.I
        ?? throw new BackendUnavailableException($"{_node.OpType} node '{_node.Name}' lacks the required attribute '{name}'");

    public long[]? Ints(string name) => Find(name, AttributeProto.Types.AttributeType.Ints)?.Ints.ToArray();

    public float Float(string name, float defaultValue) =>
        Find(name, AttributeProto.Types.AttributeType.Float) is { } attribute ? attribute.F : defaultValue;

    public float[]? Floats(string name) => Find(name, AttributeProto.Types.AttributeType.Floats)?.Floats.ToArray();

    public string? String(string name) => Find(name, AttributeProto.Types.AttributeType.String)?.S.ToStringUtf8();

    public string[]? Strings(string name) => Find(name, AttributeProto.Types.AttributeType.Strings)?.Strings.Select(s => s.ToStringUtf8()).ToArray();

    public TensorProto? Tensor(string name) => Find(name, AttributeProto.Types.AttributeType.Tensor)?.T;

    /// <summary>Whether the node sets attribute <paramref name="name"/>.</summary>
    public bool Has(string name) => _node.Attribute.Any(a => a.Name == name);

    private AttributeProto? Find(string name, AttributeProto.Types.AttributeType type)
    {
        foreach (var attribute in _node.Attribute)
        {
            if (attribute.Name != name) continue;
            if (attribute.Type != type)
                throw new BackendUnavailableException($"{_node.OpType} node '{_node.Name}' has attribute '{name}' of type {attribute.Type}, expected {type}");
            return attribute;
        }
        return null;
    }
}

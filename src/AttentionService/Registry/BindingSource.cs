namespace AttentionService.Registry;

/// <summary>How a model's graph inputs (or outputs) were bound to what /attend knows.</summary>
public enum BindingSource
{
    /// <summary>Graph names are the role names themselves (query, keys, values, mask; context, weights).</summary>
    Name,

    /// <summary>No config and unambiguous by position: 2 or 3 FP32 inputs, 2 outputs.</summary>
    Position,

    /// <summary>The model's <c>&lt;name&gt;.json</c> config names them.</summary>
    Config,
}

public static class BindingSources
{
    public static string ToWireName(this BindingSource source) => source switch
    {
        BindingSource.Name => "name",
        BindingSource.Position => "position",
        BindingSource.Config => "config",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };
}

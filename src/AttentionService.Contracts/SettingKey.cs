namespace AttentionService.Contracts;

/// <summary>
/// The configuration key of an options property, so that a failed validation names what an operator writes
/// (<c>Attention:Limits:MaxBatch</c>). Type-free, so that it lives beside <see cref="RequestLimits"/>, which the host binds from configuration.
/// </summary>
public static class SettingKey
{
    /// <summary>Where ONNX Runtime's session settings are bound from.</summary>
    public const string OnnxRuntimeSection = "Attention:OnnxRuntime";

    /// <summary>Each options class, by name, and the section it is bound from.</summary>
    private static readonly (string OptionsClass, string Section)[] Sections =
    [
        ("AttentionOptions", "Attention"),
        ("OnnxRuntimeSettings", OnnxRuntimeSection),
    ];

    /// <summary>
    /// The key for a source-generated validator's display name: <c>AttentionOptions.Limits.MaxBatch</c> becomes
    /// <c>Attention:Limits:MaxBatch</c>.
    /// </summary>
    public static string FromDisplayName(string displayName)
    {
        var parts = displayName.Split('.');
        foreach (var (optionsClass, section) in Sections)
            if (parts[0] == optionsClass)
                return string.Join(':', [section, .. parts[1..]]);
        return string.Join(':', parts);
    }
}

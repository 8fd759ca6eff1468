using AttentionService.Contracts;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.RegularExpressions;
using AttentionService.Backends.OnnxRuntime;
using Microsoft.Extensions.Options;

namespace AttentionService.Configuration;

/// <summary>
/// A setting that cannot be converted (binding) or is out of range (validation) stops the host as an exception; this
/// turns either into the one line an operator needs: the key, the bad value and what is allowed.
/// </summary>
public static partial class InvalidSettings
{
    /// <summary>The line for a bad-setting failure, or null when <paramref name="exception"/> is not one.</summary>
    public static string? Describe(Exception exception, IConfiguration configuration) => exception switch
    {
        OptionsValidationException validation => string.Join("; ", validation.Failures.Select(f => Failure(f, configuration))),
        AggregateException aggregate => aggregate.InnerExceptions.Select(e => Describe(e, configuration)).ToList() is var lines && lines.All(l => l is not null)
            ? string.Join("; ", lines)
            : null,
        InvalidOperationException binding when BindingFailure().Match(binding.Message) is { Success: true } match =>
            Unconvertible(match.Groups["key"].Value, configuration),
        _ => null,
    };

    /// <summary>
    /// A validator's failure as one clause. Our own attributes already name key, value and range; a plain
    /// <c>[Range]</c> (on OnnxRuntimeSettings, which cannot use them; the generated validator's copy of RangeAttribute
    /// also ignores ErrorMessage) reports "IntraOpNumThreads: The field OnnxRuntimeSettings.IntraOpNumThreads must be
    /// between 0 and 2147483647.", which is rewritten to the same form.
    /// </summary>
    private static string Failure(string failure, IConfiguration configuration)
    {
        if (RangeFailure().Match(failure) is not { Success: true } match) return failure;
        var key = SettingKey.FromDisplayName(match.Groups["name"].Value);
        return $"{key} is {configuration[key]}; allowed: {match.Groups["min"].Value} to {match.Groups["max"].Value}";
    }

    [GeneratedRegex(@"^(?:[\w, ]+: )?The field (?<name>[\w.]+) must be between (?<min>\S+) and (?<max>\S+?)\.$")]
    private static partial Regex RangeFailure();

    private static string Unconvertible(string key, IConfiguration configuration) =>
        $"{key} is '{configuration[key]}'; allowed: {Allowed(key) ?? "a value of its type"}";

    /// <summary>Each options class and the section it is bound from, the more specific section first.</summary>
    private static readonly (Type Type, string Section)[] Sections =
    [
        (typeof(OnnxRuntimeSettings), SettingKey.OnnxRuntimeSection),
        (typeof(AttentionOptions), AttentionOptions.SectionName),
    ];

    /// <summary>What a key allows, from its property's type and range: "Auto, Onnx, Managed", "1 to 65536"; null for an unknown key.</summary>
    public static string? Allowed(string key)
    {
        var property = Property(key);
        if (property is null) return null;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (type.IsEnum) return string.Join(", ", Enum.GetNames(type));
        if (property.GetCustomAttribute<SettingRangeAttribute>() is { } setting) return $"a whole number from {setting.Allowed}";
        if (property.GetCustomAttribute<RangeAttribute>() is { } range) return $"a whole number from {range.Minimum} to {range.Maximum}";
        if (property.GetCustomAttribute<ModelNameSettingAttribute>() is not null) return ModelNameSettingAttribute.Allowed;
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int) || type == typeof(long)) return "a whole number";
        return type.Name;
    }

    private static PropertyInfo? Property(string key)
    {
        foreach (var (type, section) in Sections)
        {
            if (!key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase)) continue;
            var current = type;
            PropertyInfo? property = null;
            foreach (var name in key[(section.Length + 1)..].Split(':'))
            {
                property = current.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                if (property is null) return null;
                current = property.PropertyType;
            }
            return property;
        }
        return null;
    }

    /// <summary>ConfigurationBinder's message, with or without the value: "Failed to convert configuration value ['x' ]at 'key' to type 'T'."</summary>
    [GeneratedRegex("^Failed to convert configuration value (?:'.*' )?at '(?<key>[^']+)'")]
    private static partial Regex BindingFailure();
}

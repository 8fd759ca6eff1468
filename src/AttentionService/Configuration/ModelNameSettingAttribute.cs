using AttentionService.Contracts;
using System.ComponentModel.DataAnnotations;

namespace AttentionService.Configuration;

/// <summary>A setting that names a model: the failure names the key, the value and what a name may look like.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ModelNameSettingAttribute : ValidationAttribute
{
    public const string Allowed = $"a model name matching {ModelName.Pattern}";

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string name && ModelName.IsValid(name)
            ? ValidationResult.Success
            : new ValidationResult($"{SettingKey.FromDisplayName(validationContext.DisplayName)} is '{value}'; allowed: {Allowed}");
}

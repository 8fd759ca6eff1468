using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace AttentionService.Contracts;

/// <summary>
/// A whole-number setting's allowed range, whose failure names the configuration key, the value and the range
/// ("Attention:Limits:MaxBatch is 0; allowed: 1 to 65536"), which <see cref="RangeAttribute"/>'s message cannot.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingRangeAttribute(long minimum, long maximum) : ValidationAttribute
{
    public long Minimum { get; } = minimum;

    public long Maximum { get; } = maximum;

    public string Allowed => $"{Minimum} to {Maximum}";

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var number = Convert.ToInt64(value, CultureInfo.InvariantCulture);
        return number >= Minimum && number <= Maximum
            ? ValidationResult.Success
            : new ValidationResult($"{SettingKey.FromDisplayName(validationContext.DisplayName)} is {number}; allowed: {Allowed}");
    }
}

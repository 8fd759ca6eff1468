using Microsoft.Extensions.Options;

namespace AttentionService.Configuration;

/// <summary>Source-generated validation of the data annotations on <see cref="AttentionOptions"/>, run at start.</summary>
[OptionsValidator]
public sealed partial class AttentionOptionsValidator : IValidateOptions<AttentionOptions>;

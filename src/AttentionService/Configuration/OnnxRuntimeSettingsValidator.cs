using AttentionService.Backends.OnnxRuntime;
using Microsoft.Extensions.Options;

namespace AttentionService.Configuration;

/// <summary>Source-generated validation of the data annotations on <see cref="OnnxRuntimeSettings"/>, run at start.</summary>
[OptionsValidator]
public sealed partial class OnnxRuntimeSettingsValidator : IValidateOptions<OnnxRuntimeSettings>;

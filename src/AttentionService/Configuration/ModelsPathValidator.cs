using Microsoft.Extensions.Options;

namespace AttentionService.Configuration;

/// <summary>A models folder that does not exist is a deployment mistake: refuse to start, naming the path.</summary>
public sealed class ModelsPathValidator : IValidateOptions<AttentionOptions>
{
    public ValidateOptionsResult Validate(string? name, AttentionOptions options) =>
        Directory.Exists(options.ModelsPath)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Attention:ModelsPath is '{options.ModelsPath}', not an existing folder; allowed: a folder of <name>.onnx files");
}

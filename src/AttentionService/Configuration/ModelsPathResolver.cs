using Microsoft.Extensions.Options;

namespace AttentionService.Configuration;

/// <summary>
/// Fills in <see cref="AttentionOptions.ModelsPath"/> when it is not configured: the repository's models/ when run
/// from source (content root is src/AttentionService), otherwise the models/ folder published beside the app.
/// </summary>
public sealed class ModelsPathResolver(IHostEnvironment environment) : IPostConfigureOptions<AttentionOptions>
{
    public void PostConfigure(string? name, AttentionOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ModelsPath))
        {
            options.ModelsPath = Path.GetFullPath(options.ModelsPath, environment.ContentRootPath);
            return;
        }
        var repositoryRoot = Path.GetFullPath(Path.Combine(environment.ContentRootPath, "..", ".."));
        var fromSource = File.Exists(Path.Combine(repositoryRoot, "AttentionService.sln"))
            && Directory.Exists(Path.Combine(repositoryRoot, "models"));
        options.ModelsPath = fromSource
            ? Path.Combine(repositoryRoot, "models")
            : Path.Combine(AppContext.BaseDirectory, "models");
    }
}

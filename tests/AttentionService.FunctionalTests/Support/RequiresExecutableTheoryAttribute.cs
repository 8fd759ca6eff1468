using AttentionService.Tests.Deployment;

namespace AttentionService.Tests.Support;

/// <summary>
/// The theory twin of <see cref="RequiresExecutableFactAttribute"/>: skipped, saying why, when a tool it drives is not installed.
/// </summary>
public sealed class RequiresExecutableTheoryAttribute : TheoryAttribute
{
    public RequiresExecutableTheoryAttribute(string executable)
    {
        if (ExternalCommand.Find(executable) is null)
            Skip = $"'{executable}' is not on PATH; .ci/run installs it (apt-get install {executable})";
    }
}

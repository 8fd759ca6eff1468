using AttentionService.Tests.Deployment;

namespace AttentionService.Tests.Support;

/// <summary>
/// A fact that is skipped, saying why, when a tool it drives is not installed. xunit 2 has no runtime skip, so the
/// decision is made when the test is discovered. .ci/run installs every tool named here, so in CI these run.
/// </summary>
public sealed class RequiresExecutableFactAttribute : FactAttribute
{
    public RequiresExecutableFactAttribute(string executable)
    {
        if (ExternalCommand.Find(executable) is null)
            Skip = $"'{executable}' is not on PATH; .ci/run installs it (apt-get install {executable})";
    }
}

using AttentionService.Tests.Deployment;

namespace AttentionService.Tests.Support;

/// <summary>
/// A fact that runs PyTorch's real exporter, skipped (saying why) where Debian's <c>python3-torch</c> is not installed:
/// it is not part of the .NET SDK. .ci/run installs it and fails when <c>import torch</c> does not work after the install.
/// </summary>
public sealed class RequiresTorchFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    public RequiresTorchFactAttribute()
    {
        if (!File.Exists(Python) || ExternalCommand.Run(Python, ["-c", "import torch"], TimeSpan.FromSeconds(60)).ExitCode != 0)
            Skip = $"{Python} cannot import torch; .ci/run installs it (apt-get install python3-torch)";
    }
}

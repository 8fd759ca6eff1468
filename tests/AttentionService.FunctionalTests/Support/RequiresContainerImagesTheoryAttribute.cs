using AttentionService.Tests.Deployment;

namespace AttentionService.Tests.Support;

/// <summary>
/// A theory over the built images (<see cref="ContainerImages.Available"/>). Outside CI it is skipped, saying why,
/// when no image can run here (no Docker engine, nothing built); in CI (<see cref="ContainerImages.CiVariable"/>) it
/// runs over every image and fails for one that .ci/run did not build.
/// </summary>
public sealed class RequiresContainerImagesTheoryAttribute : TheoryAttribute
{
    public RequiresContainerImagesTheoryAttribute()
    {
        if (!ContainerImages.InCi && ContainerImages.Available().Count == 0)
            Skip = ContainerImages.Unavailable(ContainerImages.Cpu);
    }
}

using AttentionService.Tests.Deployment;

namespace AttentionService.Tests.Support;

/// <summary>
/// A theory over built images (<see cref="ContainerImages.Available"/>): every image, or those named. Outside CI it is
/// skipped, saying why, when none of them can run here (no Docker engine, nothing built); in CI
/// (<see cref="ContainerImages.CiVariable"/>) it runs over all of them and fails for one that .ci/run did not build.
/// </summary>
public sealed class RequiresContainerImagesTheoryAttribute : TheoryAttribute
{
    public RequiresContainerImagesTheoryAttribute(params string[] images)
    {
        var wanted = images.Length == 0 ? ContainerImages.All : images;
        if (!ContainerImages.InCi && !ContainerImages.Available().Intersect(wanted).Any())
            Skip = ContainerImages.Unavailable(wanted[0]);
    }
}

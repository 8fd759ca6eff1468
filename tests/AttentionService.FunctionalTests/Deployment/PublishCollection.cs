namespace AttentionService.Tests.Deployment;

/// <summary>
/// Tests that run scripts/publish.sh: one at a time, since every publish restores and builds into the same obj/ folders
/// (with different package references for the CPU, GPU and managed-only builds).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PublishCollection
{
    public const string Name = "Publishes";
}

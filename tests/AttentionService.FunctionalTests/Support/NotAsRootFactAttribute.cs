namespace AttentionService.Tests.Support;

/// <summary>A fact about file permissions, skipped when the tests run as root, whom permissions do not stop.</summary>
public sealed class NotAsRootFactAttribute : FactAttribute
{
    public NotAsRootFactAttribute()
    {
        if (Environment.UserName == "root")
            Skip = "the tests run as root, who can read any file whatever its permissions";
    }
}

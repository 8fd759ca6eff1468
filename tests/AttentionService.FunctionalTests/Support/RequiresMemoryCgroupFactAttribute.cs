namespace AttentionService.Tests.Support;

/// <summary>A fact that starts the service under a real memory limit, skipped (saying why) where no memory cgroup is writable.</summary>
public sealed class RequiresMemoryCgroupFactAttribute : FactAttribute
{
    public RequiresMemoryCgroupFactAttribute()
    {
        if (MemoryCgroup.Find().Reason is { } reason) Skip = reason;
    }
}

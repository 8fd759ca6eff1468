namespace AttentionService.Core.Backends;

/// <summary>
/// A backend's condition for the whole process with the reason when it is not <see cref="BackendCondition.Available"/>:
/// found once (a missing native library, a provider that did not load), so the registry and readiness report it once
/// instead of every model finding it again.
/// </summary>
public sealed record BackendStatus(BackendCondition Condition, string? Reason)
{
    public static readonly BackendStatus Available = new(BackendCondition.Available, null);

    public static BackendStatus Degraded(string reason) => new(BackendCondition.Degraded, reason);

    public static BackendStatus Unavailable(string reason) => new(BackendCondition.Unavailable, reason);
}

namespace AttentionService.Core.Backends;

/// <summary>A backend that keeps per-run state between runs (workspaces, bindings) and can drop what is idle.</summary>
public interface ITrimmable
{
    /// <summary>Disposes idle per-run state (and the pooled buffers it holds); runs in flight are not touched.</summary>
    void Trim();
}

using AttentionService.Contracts;
namespace AttentionService.Configuration;

/// <summary>
/// How model files are read and watched (<c>Attention:Models</c>). Files are untrusted input: each read is bounded in
/// time here and in size by <see cref="RequestLimits.MaxModelBytes"/>; a file that changes on disk is reloaded once it
/// has stopped changing.
/// </summary>
public sealed class ModelFileOptions
{
    /// <summary>Seconds one file may take to read (a hung network mount); past it that model is unavailable.</summary>
    [SettingRange(1, 3600)]
    public int LoadTimeoutSeconds { get; set; } = 60;

    /// <summary>Whether files that change, appear or disappear while running are reloaded, added or taken out of service.</summary>
    public bool Reload { get; set; } = true;

    /// <summary>
    /// Seconds between rescans of the folder besides the file-system watcher, which does not fire on every volume
    /// (network mounts, Kubernetes ConfigMap symlink swaps); 0 relies on the watcher alone.
    /// </summary>
    [SettingRange(0, 3600)]
    public int PollSeconds { get; set; } = 10;

    /// <summary>
    /// Milliseconds a changed file's size and modification time must stay the same before it is read, so a file still
    /// being written is not loaded half-way.
    /// </summary>
    [SettingRange(0, 60_000)]
    public int SettleMilliseconds { get; set; } = 2000;
}

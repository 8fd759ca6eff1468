using System.Diagnostics;
using AttentionService.Configuration;
using Microsoft.Extensions.Options;

namespace AttentionService.Registry;

/// <summary>
/// Reloads models whose files change on disk while the service runs (<c>Attention:Models:Reload</c>): a file-system
/// watcher on the models folder, and a rescan every <c>Attention:Models:PollSeconds</c> for volumes where the watcher
/// does not fire (network mounts, Kubernetes ConfigMap symlink swaps). A change is acted on once the model's files
/// have looked the same for <c>Attention:Models:SettleMilliseconds</c>, so a file still being copied is not read
/// half-way: a changed or new <c>&lt;name&gt;.onnx</c> or <c>&lt;name&gt;.json</c> is (re)loaded, a removed
/// <c>&lt;name&gt;.onnx</c> takes its model out of service (<see cref="ModelRegistry"/>).
/// </summary>
public sealed class ModelFolderWatcher(ModelRegistry registry, IOptions<AttentionOptions> options, ILogger<ModelFolderWatcher> logger)
    : BackgroundService
{
    // Not disposed: the watcher's events may still arrive on pool threads after the service stops, and a SemaphoreSlim
    // whose wait handle is never asked for holds nothing to release.
    private readonly SemaphoreSlim _wake = new(0, 1);

    // A model found changed, with the files as first seen so and since when; acted on once they have stayed so.
    private readonly Dictionary<string, (ModelFiles Files, long Since)> _pending = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Models;
        if (!settings.Reload) return;
        using var watcher = Watch(options.Value.ModelsPath);
        var poll = settings.PollSeconds > 0 ? TimeSpan.FromSeconds(settings.PollSeconds) : Timeout.InfiniteTimeSpan;
        var settle = TimeSpan.FromMilliseconds(settings.SettleMilliseconds);
        var scanFailing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan? next;
            try
            {
                next = await ScanAsync(settle, stoppingToken);
                scanFailing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A scan that fails (the folder gone or unreadable for a while) is tried again at the next wake-up;
                // the models loaded keep serving. Said once until a scan succeeds again.
                if (!scanFailing)
                    logger.LogWarning("Scanning the models folder for changes failed, retrying: {Reason}", e.Message);
                scanFailing = true;
                next = null;
            }
            var wait = next is { } soon && (poll == Timeout.InfiniteTimeSpan || soon < poll) ? soon : poll;
            try
            {
                await _wake.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Acts on what has settled; returns how long until the next pending change may have settled, if any.</summary>
    private async Task<TimeSpan?> ScanAsync(TimeSpan settle, CancellationToken cancellationToken)
    {
        var onDisk = await registry.LookAsync(cancellationToken);
        var observed = new Dictionary<string, ModelFiles>(onDisk, StringComparer.Ordinal);
        foreach (var name in registry.LoadedNames)
            observed.TryAdd(name, new ModelFiles(null, null));

        TimeSpan? next = null;
        var now = Stopwatch.GetTimestamp();
        foreach (var (name, files) in observed)
        {
            if (registry.LoadedFrom(name) == files || (files.Model is null && registry.LoadedFrom(name) is null))
            {
                _pending.Remove(name);
                continue;
            }
            if (!_pending.TryGetValue(name, out var seen) || seen.Files != files)
                _pending[name] = seen = (files, now);
            var waited = Stopwatch.GetElapsedTime(seen.Since, now);
            if (waited < settle)
            {
                next = next is { } earlier && earlier < settle - waited ? earlier : settle - waited;
                continue;
            }
            _pending.Remove(name);
            if (files.Model is null) registry.Remove(name);
            else await registry.ReloadAsync(name, files, cancellationToken);
        }
        foreach (var name in _pending.Keys.Where(n => !observed.ContainsKey(n)).ToList())
            _pending.Remove(name);
        return next;
    }

    private FileSystemWatcher? Watch(string folder)
    {
        try
        {
            var watcher = new FileSystemWatcher(folder)
            {
                // A seq2seq model is a folder: a graph rewritten inside it is a change too.
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite
                    | NotifyFilters.Size | NotifyFilters.CreationTime | NotifyFilters.Attributes,
            };
            watcher.Changed += (_, _) => Wake();
            watcher.Created += (_, _) => Wake();
            watcher.Deleted += (_, _) => Wake();
            watcher.Renamed += (_, _) => Wake();
            watcher.Error += (_, _) => Wake();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e)
        {
            // E.g. the inotify instance limit reached: polling still notices changes, if it is on.
            if (options.Value.Models.PollSeconds > 0)
                logger.LogWarning("Model files cannot be watched ({Reason}); changes are noticed by polling every {PollSeconds} s only",
                    e.Message, options.Value.Models.PollSeconds);
            else
                logger.LogWarning("Model files cannot be watched ({Reason}) and Attention:Models:PollSeconds is 0: changes on disk are not noticed",
                    e.Message);
            return null;
        }
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken: one scan sees every change.
        }
    }
}

using System.Diagnostics;
using AttentionService.Configuration;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using Microsoft.Extensions.Options;

namespace AttentionService.Registry;

/// <summary>
/// The model repository: every <c>&lt;name&gt;.onnx</c> in <see cref="AttentionOptions.ModelsPath"/> with its optional
/// <c>&lt;name&gt;.json</c> config, each read as untrusted input (<see cref="UntrustedFile"/>), bound to /attend's roles
/// (<see cref="ModelBinder"/>) and loaded on every backend at start-up, before Kestrel listens
/// (<see cref="ModelLoadingService"/>), then again when its files change (<see cref="ModelFolderWatcher"/>). A model that
/// fails to load or is refused stays listed with the reason. Reasons name files relative to the folder only. A folder
/// <c>&lt;name&gt;/</c> with a <c>seq2seq.json</c> is a seq2seq model (ModelRegistry.Seq2Seq.cs).
/// </summary>
public sealed partial class ModelRegistry(
    IOptions<AttentionOptions> options,
    IEnumerable<IBackendFactory> factories,
    ILogger<ModelRegistry> logger) : IDisposable
{
    private volatile IReadOnlyDictionary<string, RegisteredModel> _models = new Dictionary<string, RegisteredModel>();

    // What each model was last loaded (or tried) from; only the loader and the watcher's single loop touch it.
    private readonly Dictionary<string, ModelFiles> _loadedFrom = new(StringComparer.Ordinal);
    private readonly HashSet<string> _badNamesWarned = new(StringComparer.Ordinal);
    private readonly Lock _swap = new();

    private string Folder => options.Value.ModelsPath!;

    public IEnumerable<RegisteredModel> Models => _models.Values.OrderBy(m => m.Name, StringComparer.Ordinal);

    public IEnumerable<string> Names => Models.Select(m => m.Name);

    public bool TryGet(string name, out RegisteredModel model) => _models.TryGetValue(name, out model!);

    /// <summary>
    /// The model now registered under <paramref name="name"/>, held until the lease is disposed; a model swapped out
    /// by a reload between the look-up and the lease is passed over for its successor.
    /// </summary>
    public bool TryLease(string name, out ModelLease lease)
    {
        while (_models.TryGetValue(name, out var model))
        {
            if (model.TryLease(out lease)) return true;
        }
        lease = null!;
        return false;
    }

    /// <summary>Loads every model of the folder; stops (throwing) when <paramref name="cancellationToken"/> fires, e.g. on SIGTERM.</summary>
    public async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        ReportUnavailableBackends();
        var models = new Dictionary<string, RegisteredModel>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, ModelFiles> found;
        string? unlisted = null;
        try
        {
            found = await LookAsync(cancellationToken);
        }
        catch (IOException e)
        {
            logger.LogError("The models folder {Folder} cannot be listed: {Reason}", Folder, e.Message);
            found = new Dictionary<string, ModelFiles>();
            unlisted = Relative(e.Message);
        }
        try
        {
            foreach (var (name, files) in found)
            {
                var loaded = await LoadAsync(name, files, cancellationToken);
                models[name] = loaded.Model;
                _loadedFrom[name] = files;
                if (loaded.Summary is { } summary)
                    logger.LogInformation("Model {Model} loaded from {Path} in {ElapsedMs:F1} ms, bound by {Binding}; ready on {Backends}",
                        name, Path.Combine(Folder, files.MainFile(name)), summary.ElapsedMs, summary.Binding, summary.Backends);
            }
        }
        catch
        {
            foreach (var model in models.Values) model.Dispose();
            throw;
        }
        if (!FileFacts.TypesKnown)
            logger.LogWarning("This runtime does not tell file types apart: a FIFO or device named like a model is bounded only by " +
                              "Attention:Models:LoadTimeoutSeconds and Attention:Limits:MaxModelBytes");
        var defaultModel = options.Value.DefaultModel;
        if (!models.ContainsKey(defaultModel))
        {
            if (unlisted is null) logger.LogError("Default model {Model} has no file {Path}", defaultModel, ModelPath(defaultModel));
            models[defaultModel] = RegisteredModel.Failed(defaultModel, unlisted ?? $"the default model has no file {defaultModel}.onnx");
        }
        _models = models;
    }

    private Task<IReadOnlyDictionary<string, ModelFiles>>? _looking;

    /// <summary>
    /// <see cref="Look"/> within <c>Attention:Models:LoadTimeoutSeconds</c> (a stalled mount blocks even listing and
    /// stat); throws <see cref="IOException"/> past it. A listing still hung from before is awaited again rather than
    /// a second one started, so a mount that stays stalled holds one thread, not one per scan.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ModelFiles>> LookAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(options.Value.Models.LoadTimeoutSeconds);
        if (_looking is not { IsCompleted: false })
            _looking = Task.Factory.StartNew(Look, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            return await _looking.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new IOException($"listing the models folder did not finish within {timeout.TotalSeconds:0} s (Attention:Models:LoadTimeoutSeconds)");
        }
        catch (Exception e) when (e is UnauthorizedAccessException)
        {
            throw new IOException($"the models folder cannot be listed: permission denied");
        }
    }

    /// <summary>
    /// Each model's files as they are on disk now: every entry named <c>&lt;name&gt;.onnx</c> with a valid name, whatever
    /// its type (a directory or FIFO is listed, to be refused with its reason, not skipped).
    /// </summary>
    private IReadOnlyDictionary<string, ModelFiles> Look()
    {
        var found = new SortedDictionary<string, ModelFiles>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(Folder, "*.onnx"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (!ModelName.IsValid(name))
            {
                if (_badNamesWarned.Add(name))
                    logger.LogWarning("Skipping {Path}: '{Model}' is not a valid model name ({Pattern})", path, name, ModelName.Pattern);
                continue;
            }
            found[name] = ModelFiles.Of(Folder, name);
        }
        LookForSeq2Seq(found);
        return found;
    }

    /// <summary>What <paramref name="name"/> was last loaded (or tried) from; null when it was never, or was removed.</summary>
    public ModelFiles? LoadedFrom(string name) => _loadedFrom.TryGetValue(name, out var files) ? files : null;

    /// <summary>Every name whose files were loaded (or tried).</summary>
    public IReadOnlyCollection<string> LoadedNames => _loadedFrom.Keys.ToArray();

    /// <summary>
    /// Loads <paramref name="name"/> again from <paramref name="files"/> (it changed, or appeared) and swaps it in when it
    /// serves; when it does not and the loaded version does, the loaded version keeps serving and carries the reason
    /// (<see cref="RegisteredModel.ReloadFailure"/>). The version swapped out is disposed when its last request ends.
    /// </summary>
    public async Task ReloadAsync(string name, ModelFiles files, CancellationToken cancellationToken)
    {
        var added = !_loadedFrom.TryGetValue(name, out var before);
        var change = added ? $"{files.MainFile(name)} added" : files.Change(name, before);
        var action = added ? "added" : "reloaded";
        var loaded = await LoadAsync(name, files, cancellationToken);
        _loadedFrom[name] = files;
        var fresh = loaded.Model;
        var policy = options.Value.Backend;
        RegisteredModel? old;
        lock (_swap)
        {
            _models.TryGetValue(name, out old);
            if (old is not null && !fresh.IsServable(policy) && old.IsServable(policy))
            {
                var reason = fresh.UnservableReason(policy)!;
                old.ReloadFailure = new ReloadFailure(reason, DateTimeOffset.UtcNow);
                fresh.Dispose();
                logger.LogWarning("Model {Model} not reloaded ({Change}); the version loaded before keeps serving: {Reason}", name, change, reason);
                return;
            }
            Swap(name, fresh);
        }
        old?.Dispose();
        if (loaded.Summary is { } summary)
            logger.LogInformation("Model {Model} {Action} ({Change}) from {Path} in {ElapsedMs:F1} ms, bound by {Binding}; ready on {Backends}",
                name, action, change, Path.Combine(Folder, files.MainFile(name)), summary.ElapsedMs, summary.Binding, summary.Backends);
        else
            logger.LogInformation("Model {Model} {Action} ({Change}) and cannot serve: {Reason}", name, action, change, fresh.UnservableReason(policy));
    }

    /// <summary>
    /// <paramref name="name"/>'s file is gone: the model stays listed, unavailable with the reason, and its sessions are
    /// disposed when their last request ends. The default model keeps its place with the reason too.
    /// </summary>
    public void Remove(string name)
    {
        if (!_loadedFrom.Remove(name, out var before)) return;
        var file = before.MainFile(name);
        RegisteredModel? old;
        lock (_swap)
        {
            _models.TryGetValue(name, out old);
            Swap(name, RegisteredModel.Failed(name, $"{file} was removed from the models folder", takesText: before.IsSeq2Seq));
        }
        old?.Dispose();
        logger.LogInformation("Model {Model} removed ({File} is gone); it no longer serves", name, file);
    }

    private void Swap(string name, RegisteredModel model) =>
        _models = new Dictionary<string, RegisteredModel>(_models, StringComparer.Ordinal) { [name] = model };

    /// <summary>A model loaded from its files, and what its log line says when it serves.</summary>
    private readonly record struct Loaded(RegisteredModel Model, LoadSummary? Summary);

    private readonly record struct LoadSummary(double ElapsedMs, string Binding, string Backends);

    private async Task<Loaded> LoadAsync(string name, ModelFiles files, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (files.IsSeq2Seq) return await LoadSeq2SeqAsync(name, clock, cancellationToken);
        var settings = options.Value;
        var timeout = TimeSpan.FromSeconds(settings.Models.LoadTimeoutSeconds);
        var fileName = name + ".onnx";
        byte[] bytes;
        try
        {
            bytes = await UntrustedFile.ReadAsync(ModelPath(name), fileName, settings.Limits.MaxModelBytes,
                "Attention:Limits:MaxModelBytes", timeout, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not a file the service reads (a FIFO, a device, too large, too slow): the operator's to fix, not a fault.
            var reason = Relative(e is InvalidDataException ? e.Message : $"{fileName}: {e.Message}");
            logger.LogWarning("Model {Model} is not read from {Path}: {Reason}", name, ModelPath(name), reason);
            return new(RegisteredModel.Failed(name, reason), null);
        }
        ModelSource source;
        try
        {
            source = ModelSource.Parse(name, bytes);
        }
        catch (Exception e)
        {
            // Whatever the parser or the signature make of hostile bytes, the model is unavailable, not the service.
            return Failed(name, Relative($"{fileName}: {e.Message}"));
        }

        ModelConfig? config = null;
        if (files.Config is not null)
        {
            var configName = name + ".json";
            byte[] configBytes;
            try
            {
                configBytes = await UntrustedFile.ReadAsync(Path.Combine(Folder, configName), configName, ModelConfig.MaxBytes,
                    "the bound on model configs", timeout, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var reason = Relative(e is InvalidDataException ? e.Message : $"{configName}: {e.Message}");
                logger.LogWarning("Model {Model} is not loaded: {Reason}", name, reason);
                return new(RegisteredModel.Failed(name, reason, source.Signature), null);
            }
            try
            {
                config = ModelConfig.Parse(configName, configBytes);
            }
            catch (Exception e)
            {
                var reason = Relative(e is InvalidDataException ? e.Message : $"{configName}: {e.Message}");
                logger.LogError("Model {Model} refused: {Reason}", name, reason);
                return new(RegisteredModel.Failed(name, reason, source.Signature), null);
            }
        }
        var (binding, refusal) = ModelBinder.Bind(name, source.Signature, config);
        if (binding is null)
        {
            logger.LogError("Model {Model} refused: {Reason}", name, refusal);
            return new(RegisteredModel.Failed(name, Relative(refusal!), source.Signature), null);
        }

        var slots = Slots(factory => CreateBackend(factory, source));
        var boundBy = binding.Config?.FileName ?? (binding.InputsBoundBy == binding.OutputsBoundBy
            ? binding.InputsBoundBy.ToWireName()
            : $"{binding.InputsBoundBy.ToWireName()} (inputs) and {binding.OutputsBoundBy.ToWireName()} (outputs)");
        return new(RegisteredModel.Loaded(name, source.Signature, binding, slots),
            new LoadSummary(clock.Elapsed.TotalMilliseconds, boundBy, string.Join(", ", slots.Where(s => s.IsReady).Select(s => s.Kind.ToWireName()))));
    }

    private Loaded Failed(string name, string reason)
    {
        logger.LogError("Model {Model} failed to load from {Path}: {Reason}", name, ModelPath(name), reason);
        return new(RegisteredModel.Failed(name, reason), null);
    }

    /// <summary>
    /// A model's slot on each backend, from <paramref name="create"/>; a backend that loads no model in this process (no
    /// native ONNX Runtime) is not asked, and its slot carries the reason logged once at start (<see cref="ReportUnavailableBackends"/>).
    /// </summary>
    private List<BackendSlot> Slots(Func<IBackendFactory, BackendSlot> create)
    {
        var slots = new List<BackendSlot>();
        foreach (var kind in Enum.GetValues<BackendKind>())
        {
            var factory = factories.FirstOrDefault(f => f.Kind == kind);
            slots.Add(factory is null ? new BackendSlot(kind, null, "no factory registered")
                : factory.Status is { Condition: BackendCondition.Unavailable, Reason: var reason } ? new BackendSlot(kind, null, reason)
                : create(factory));
        }
        return slots;
    }

    /// <summary>One line per backend that loads no model in this process, before any model is loaded.</summary>
    private void ReportUnavailableBackends()
    {
        foreach (var factory in factories)
            if (factory.Status is { Condition: BackendCondition.Unavailable, Reason: var reason })
                logger.LogWarning("Backend {Backend} is not available: {Reason}", factory.Kind.ToWireName(), reason);
    }

    private BackendSlot CreateBackend(IBackendFactory factory, ModelSource source)
    {
        IModelBackend backend;
        try
        {
            backend = factory.Create(source);
        }
        catch (Exception e)
        {
            // Any failure to build a backend (not only the documented BackendUnavailableException) leaves the model
            // listed with the reason instead of stopping the service.
            return Unavailable(factory.Kind, source.Name, e.Message);
        }
        try
        {
            WarmUp.Run(backend);
            return new BackendSlot(factory.Kind, backend, null);
        }
        catch (Exception e)
        {
            backend.Dispose();
            return Unavailable(factory.Kind, source.Name, $"the warm-up run failed: {e.Message}");
        }
    }

    private BackendSlot Unavailable(BackendKind kind, string model, string reason)
    {
        logger.LogWarning("Model {Model} has no {Backend} backend: {Reason}", model, kind.ToWireName(), reason);
        return new BackendSlot(kind, null, Relative(reason));
    }

    private string ModelPath(string name) => Path.Combine(Folder, name + ".onnx");

    /// <summary>A reason as clients see it: paths inside the models folder cut to the file's name (logs keep them whole).</summary>
    private string Relative(string reason) =>
        reason.Replace(Path.TrimEndingDirectorySeparator(Folder) + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);

    public void Dispose()
    {
        var models = _models;
        _models = new Dictionary<string, RegisteredModel>();
        foreach (var model in models.Values)
            model.Dispose();
    }
}

using System.Diagnostics;
using AttentionService.Configuration;
using AttentionService.Core.Backends;
using AttentionService.Core.Models;
using Microsoft.Extensions.Options;

namespace AttentionService.Registry;

/// <summary>
/// The model repository: every <c>&lt;name&gt;.onnx</c> in <see cref="AttentionOptions.ModelsPath"/> with its optional
/// <c>&lt;name&gt;.json</c> config, each read once, bound to /attend's roles (<see cref="ModelBinder"/>) and loaded on
/// every backend at start-up, before Kestrel listens (<see cref="ModelLoadingService"/>). A model that fails to load
/// or is refused stays listed with the reason.
/// </summary>
public sealed class ModelRegistry(
    IOptions<AttentionOptions> options,
    IEnumerable<IBackendFactory> factories,
    ILogger<ModelRegistry> logger) : IDisposable
{
    private volatile IReadOnlyDictionary<string, RegisteredModel> _models = new Dictionary<string, RegisteredModel>();

    public IEnumerable<RegisteredModel> Models => _models.Values.OrderBy(m => m.Name, StringComparer.Ordinal);

    public IEnumerable<string> Names => Models.Select(m => m.Name);

    public bool TryGet(string name, out RegisteredModel model) => _models.TryGetValue(name, out model!);

    public void LoadAll()
    {
        var folder = options.Value.ModelsPath!;
        var models = new Dictionary<string, RegisteredModel>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(folder, "*.onnx").Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileNameWithoutExtension(path);
            if (!ModelName.IsValid(name))
            {
                logger.LogWarning("Skipping {Path}: '{Model}' is not a valid model name ({Pattern})", path, name, ModelName.Pattern);
                continue;
            }
            models[name] = Load(name, path);
        }
        var defaultModel = options.Value.DefaultModel;
        if (!models.ContainsKey(defaultModel))
        {
            var path = System.IO.Path.Combine(folder, defaultModel + ".onnx");
            logger.LogError("Default model {Model} has no file {Path}", defaultModel, path);
            models[defaultModel] = RegisteredModel.Failed(defaultModel, $"the default model has no file {path}");
        }
        _models = models;
    }

    private RegisteredModel Load(string name, string path)
    {
        var clock = Stopwatch.StartNew();
        ModelSource source;
        try
        {
            source = ModelSource.Read(name, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            logger.LogError("Model {Model} failed to load from {Path}: {Reason}", name, path, e.Message);
            return RegisteredModel.Failed(name, $"{System.IO.Path.GetFileName(path)}: {e.Message}");
        }

        ModelConfig? config = null;
        var configPath = System.IO.Path.ChangeExtension(path, ".json");
        try
        {
            if (File.Exists(configPath)) config = ModelConfig.Read(configPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            var reason = e is InvalidDataException ? e.Message : $"{System.IO.Path.GetFileName(configPath)}: {e.Message}";
            logger.LogError("Model {Model} refused: {Reason}", name, reason);
            return RegisteredModel.Failed(name, reason, source.Signature);
        }
        var (binding, refusal) = ModelBinder.Bind(name, source.Signature, config);
        if (binding is null)
        {
            logger.LogError("Model {Model} refused: {Reason}", name, refusal);
            return RegisteredModel.Failed(name, refusal!, source.Signature);
        }

        var slots = new List<BackendSlot>();
        foreach (var kind in Enum.GetValues<BackendKind>())
        {
            var factory = factories.FirstOrDefault(f => f.Kind == kind);
            slots.Add(factory is null ? new BackendSlot(kind, null, "no factory registered") : CreateBackend(factory, source));
        }
        logger.LogInformation("Model {Model} loaded from {Path} in {ElapsedMs:F1} ms, bound by {Binding}; ready on {Backends}",
            name, path, clock.Elapsed.TotalMilliseconds, binding.Config?.FileName ?? (binding.InputsBoundBy == binding.OutputsBoundBy
                ? binding.InputsBoundBy.ToWireName()
                : $"{binding.InputsBoundBy.ToWireName()} (inputs) and {binding.OutputsBoundBy.ToWireName()} (outputs)"),
            string.Join(", ", slots.Where(s => s.IsReady).Select(s => s.Kind.ToWireName())));
        return RegisteredModel.Loaded(name, source.Signature, binding, slots);
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
        return new BackendSlot(kind, null, reason);
    }

    public void Dispose()
    {
        foreach (var model in _models.Values)
            model.Dispose();
    }
}

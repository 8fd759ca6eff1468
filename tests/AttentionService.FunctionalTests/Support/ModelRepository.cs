using Microsoft.Extensions.DependencyInjection;

namespace AttentionService.Tests.Support;

/// <summary>
/// A models folder of the test's own (shipped models, torch fixtures, configs written by the test), served by a host
/// started on it; deleted on dispose.
/// </summary>
public sealed class ModelRepository : IDisposable
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "attention-repository-" + Guid.NewGuid().ToString("N"));

    public ModelRepository()
    {
        Directory.CreateDirectory(Folder);
        // The default model, so readiness reflects only the models a test adds.
        File.Copy(RepoPaths.Model("luong-dot"), Path.Combine(Folder, "luong-dot.onnx"));
    }

    /// <summary>Copies a torch fixture as <c>&lt;name&gt;.onnx</c>, with its config as <c>&lt;name&gt;.json</c> unless told not to.</summary>
    public ModelRepository AddFixture(string fixture, string? name = null, bool withConfig = true)
    {
        name ??= fixture;
        File.Copy(TorchFixtures.Model(fixture), Path.Combine(Folder, name + ".onnx"));
        if (withConfig && TorchFixtures.Config(fixture) is { } config) File.Copy(config, Path.Combine(Folder, name + ".json"));
        return this;
    }

    /// <summary>Writes a model built in the test (e.g. with <see cref="Onnx.GraphBuilder"/>) as <c>&lt;name&gt;.onnx</c>.</summary>
    public ModelRepository WriteModel(string name, Onnx.Protos.ModelProto model)
    {
        File.WriteAllBytes(Path.Combine(Folder, name + ".onnx"), Onnx.OnnxModelFile.ToBytes(model));
        return this;
    }

    /// <summary>Writes <paramref name="json"/> as the config of model <paramref name="name"/>.</summary>
    public ModelRepository WriteConfig(string name, string json)
    {
        File.WriteAllText(Path.Combine(Folder, name + ".json"), json);
        return this;
    }

    /// <summary>A host serving this folder, with further settings (e.g. <c>Attention:Backend</c>) and services.</summary>
    public AttentionServiceFactory Start(Action<IServiceCollection>? services, params (string Key, string Value)[] settings)
    {
        var factory = new AttentionServiceFactory { Settings = { ["Attention:ModelsPath"] = Folder }, ConfigureTestServices = services };
        foreach (var (key, value) in settings) factory.Settings[key] = value;
        return factory;
    }

    public AttentionServiceFactory Start(params (string Key, string Value)[] settings) => Start(null, settings);

    public void Dispose()
    {
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }
}

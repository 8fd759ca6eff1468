using AttentionService.Backends.Managed;
using AttentionService.Backends.OnnxRuntime;
using AttentionService.Configuration;
using AttentionService.Core.Backends;
using Microsoft.Extensions.Options;

namespace AttentionService.Hosting;

public static class BackendExtensions
{
    /// <summary>
    /// Both backend factories; the registry asks each for every model. ONNX Runtime's session settings come from
    /// <c>Attention:OnnxRuntime</c>, its execution provider from <c>Attention:ExecutionProvider</c>.
    /// </summary>
    public static IServiceCollection AddAttentionBackends(this IServiceCollection services)
    {
        services.AddOptions<OnnxRuntimeSettings>()
            .BindConfiguration($"{AttentionOptions.SectionName}:{OnnxRuntimeSettings.SectionName}")
            .Configure<IOptions<AttentionOptions>>((ort, attention) => ort.ExecutionProvider = attention.Value.ExecutionProvider)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<OnnxRuntimeSettings>>().Value);
        services.AddSingleton<IBackendFactory, OnnxRuntimeBackendFactory>();
        services.AddSingleton<IBackendFactory, ManagedBackendFactory>();
        return services;
    }
}

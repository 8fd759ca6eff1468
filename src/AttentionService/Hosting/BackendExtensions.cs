using AttentionService.Backends.Managed;
using AttentionService.Backends.OnnxRuntime;
using AttentionService.Core.Backends;
using Microsoft.Extensions.Options;

namespace AttentionService.Hosting;

public static class BackendExtensions
{
    /// <summary>
    /// Both backend factories; the registry asks each for every model. ONNX Runtime's session settings, execution
    /// provider included, are <c>Attention:OnnxRuntime</c>, bound and validated by <c>AddAttentionOptions</c>.
    /// </summary>
    public static IServiceCollection AddAttentionBackends(this IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<OnnxRuntimeSettings>>().Value);
        services.AddSingleton<IBackendFactory, OnnxRuntimeBackendFactory>();
        services.AddSingleton<IBackendFactory, ManagedBackendFactory>();
        return services;
    }
}

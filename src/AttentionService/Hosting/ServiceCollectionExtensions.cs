using AttentionService.Inference;
using AttentionService.Registry;

namespace AttentionService.Hosting;

public static class ServiceCollectionExtensions
{
    /// <summary>The model repository, loaded at start-up, and what runs requests against it.</summary>
    public static IServiceCollection AddModelRegistry(this IServiceCollection services)
    {
        services.AddSingleton<ModelRegistry>();
        services.AddHostedService<ModelLoadingService>();
        services.AddSingleton<AttentionMetrics>();
        services.AddSingleton<InferenceRunner>();
        return services;
    }
}

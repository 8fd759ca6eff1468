using AttentionService.Configuration;
using AttentionService.Inference;
using AttentionService.Registry;
using Microsoft.Extensions.Options;

namespace AttentionService.Hosting;

public static class ServiceCollectionExtensions
{
    /// <summary>The model repository, loaded at start-up and reloaded when its files change, and what runs requests against it.</summary>
    public static IServiceCollection AddModelRegistry(this IServiceCollection services)
    {
        services.AddSingleton<ModelRegistry>();
        services.AddHostedService<ModelLoadingService>();
        services.AddHostedService<ModelFolderWatcher>();
        services.AddSingleton<InferenceRunner>();
        services.AddSingleton<AttendPipeline>();
        services.AddSingleton<DecodeRunner>();
        services.AddSingleton<TextPipeline>();
        return services;
    }

    /// <summary>Gives the host time for the drain and for the longest request to finish.</summary>
    public static IServiceCollection AddShutdownDrain(this IServiceCollection services)
    {
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());
        services.AddOptions<HostOptions>().Configure<IOptions<AttentionOptions>>((host, attention) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(attention.Value.ShutdownDrainSeconds + attention.Value.RequestTimeoutSeconds + 5));
        return services;
    }
}


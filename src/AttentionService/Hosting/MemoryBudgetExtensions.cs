using AttentionService.Inference;

namespace AttentionService.Hosting;

public static class MemoryBudgetExtensions
{
    /// <summary>
    /// The memory budget requests are admitted against (<c>Attention:Memory</c>), and the trimmer that says its size at
    /// start and returns memory after large requests once the service is idle.
    /// </summary>
    public static IServiceCollection AddMemoryBudget(this IServiceCollection services)
    {
        services.AddSingleton<MemoryBudget>();
        services.AddHostedService<MemoryTrimmer>();
        return services;
    }
}

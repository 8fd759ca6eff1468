using AttentionService.Inference;

namespace AttentionService.Hosting;

/// <summary>
/// What keeps inference from taking the service down under load: the <see cref="InferenceGate"/> (bounded concurrent
/// runs with a short queue, 503 + Retry-After past it). The per-request timeout (Attention:RequestTimeoutSeconds) is
/// applied where /attend runs its pipeline (<see cref="Http.AttendApi"/>), so it covers queueing and inference and
/// never the writing of an answer.
/// </summary>
public static class InferenceProtection
{
    public static IServiceCollection AddInferenceProtection(this IServiceCollection services)
    {
        services.AddSingleton<InferenceGate>();
        return services;
    }
}

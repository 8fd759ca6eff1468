using System.ComponentModel.DataAnnotations;

namespace AttentionService.Configuration;

/// <summary>
/// Bounded concurrency for inference: at most <see cref="MaxConcurrentRequests"/> run, <see cref="QueueLength"/> more
/// wait, and anything past that is answered 503 with Retry-After at once, so latency stays bounded under overload.
/// </summary>
public sealed class ConcurrencyOptions
{
    /// <summary>Inferences running at once; 0 means one per processor.</summary>
    [Range(0, 1024)]
    public int MaxConcurrentRequests { get; set; }

    /// <summary>Requests waiting for a slot, oldest first.</summary>
    [Range(0, 100_000)]
    public int QueueLength { get; set; } = 64;

    /// <summary>Seconds sent in Retry-After with a 503.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 1;

    public int EffectiveMaxConcurrentRequests => MaxConcurrentRequests > 0 ? MaxConcurrentRequests : Environment.ProcessorCount;
}

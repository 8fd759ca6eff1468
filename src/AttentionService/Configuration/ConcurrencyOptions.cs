using AttentionService.Contracts;
namespace AttentionService.Configuration;

/// <summary>
/// Bounded concurrency for inference: at most <see cref="MaxConcurrentRuns"/> run, <see cref="QueueLength"/> more
/// wait, and anything past that is answered 503 with Retry-After at once, so latency stays bounded under overload.
/// </summary>
public sealed class ConcurrencyOptions
{
    /// <summary>Model runs at once (reading bodies and writing answers are not gated); 0 means one per processor.</summary>
    [SettingRange(0, 1024)]
    public int MaxConcurrentRuns { get; set; }

    /// <summary>Runs waiting for a slot, oldest first.</summary>
    [SettingRange(0, 100_000)]
    public int QueueLength { get; set; } = 64;

    /// <summary>Seconds sent in Retry-After with a 503.</summary>
    [SettingRange(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 1;

    public int EffectiveMaxConcurrentRuns => MaxConcurrentRuns > 0 ? MaxConcurrentRuns : Environment.ProcessorCount;
}

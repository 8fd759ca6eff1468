using AttentionService.Contracts;

namespace AttentionService.Configuration;

/// <summary>
/// The memory budget requests are admitted against: what a request will hold (body, inputs, the run's intermediates
/// and outputs, the answer being written) is reserved before it is read or run and released once its answer is written.
/// </summary>
public sealed class MemoryOptions
{
    /// <summary>
    /// Bytes all requests may hold at once. 0: <see cref="Inference.MemoryBudgetSize.DerivedFraction"/> of the memory the runtime
    /// sees (<c>GC.GetGCMemoryInfo().TotalAvailableMemoryBytes</c>, which follows a container's memory limit).
    /// </summary>
    [SettingRange(0, long.MaxValue)]
    public long BudgetBytes { get; set; }

    /// <summary>Seconds without a request in flight after which memory that large requests left behind is returned.</summary>
    [SettingRange(1, 3600)]
    public int TrimIdleSeconds { get; set; } = 5;
}

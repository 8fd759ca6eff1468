using AttentionService.Configuration;

namespace AttentionService.Inference;

/// <summary>How large the memory budget is: <c>Attention:Memory:BudgetBytes</c>, or derived from what the runtime sees.</summary>
public static class MemoryBudgetSize
{
    /// <summary>
    /// The share of the memory the runtime sees that requests may hold when no budget is configured; the rest is for
    /// the runtime, the loaded models and sessions, ONNX Runtime's own allocations and the garbage collector's slack.
    /// </summary>
    public const double DerivedFraction = 0.5;

    /// <summary>The budget, whether it was derived, and the memory the runtime sees (a container's or cgroup's limit when set).</summary>
    public static (long Capacity, bool Derived, long Available) Of(MemoryOptions options)
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return options.BudgetBytes > 0
            ? (options.BudgetBytes, false, available)
            : ((long)(available * DerivedFraction), true, available);
    }
}

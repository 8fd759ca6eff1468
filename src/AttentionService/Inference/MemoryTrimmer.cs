using System.Diagnostics;
using System.Runtime;
using AttentionService.Configuration;
using AttentionService.Core.Backends;
using AttentionService.Core.Tensors;
using AttentionService.Registry;
using Microsoft.Extensions.Options;

namespace AttentionService.Inference;

/// <summary>
/// Returns the memory a burst of large requests left behind once the service is idle: when nothing has been reserved
/// for <c>Attention:Memory:TrimIdleSeconds</c> and requests held more than <see cref="LargePeakBytes"/> at once since
/// the last trim, it drops the backends' idle workspaces and bindings and the large pooled arrays, then runs a blocking
/// compacting collection of every generation, the large object heap included, so the garbage collector can give the
/// freed pages back to the system. Also says at start how large the memory budget is.
/// </summary>
public sealed class MemoryTrimmer(MemoryBudget budget, ModelRegistry registry, AttentionMetrics metrics,
    IOptions<AttentionOptions> options, ILogger<MemoryTrimmer> logger) : BackgroundService
{
    /// <summary>Requests holding this much at once since the last trim make the next idle spell trim.</summary>
    public const long LargePeakBytes = 16L * 1024 * 1024;

    /// <summary>How often idleness is looked at.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (budget.Derived)
            logger.LogInformation(
                "Memory budget {BudgetBytes} bytes: {Fraction} of the {AvailableBytes} bytes the runtime sees (Attention:Memory:BudgetBytes = 0)",
                budget.Capacity, MemoryBudgetSize.DerivedFraction, budget.Available);
        else
            logger.LogInformation("Memory budget {BudgetBytes} bytes (Attention:Memory:BudgetBytes); the runtime sees {AvailableBytes} bytes",
                budget.Capacity, budget.Available);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromSeconds(options.Value.Memory.TrimIdleSeconds);
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                if (budget.PeakSinceTrim >= LargePeakBytes && budget.IdleFor >= idle)
                    Trim(budget.TakePeak());
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Trim(long peak)
    {
        var started = Stopwatch.GetTimestamp();
        var before = GC.GetTotalMemory(forceFullCollection: false);
        foreach (var model in registry.Models)
            foreach (var slot in model.Backends)
                (slot.Backend as ITrimmable)?.Trim();
        TensorPools.Trim();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var after = GC.GetTotalMemory(forceFullCollection: false);
        metrics.MemoryTrimmed();
        logger.LogInformation(
            "Memory trimmed after requests held up to {PeakBytes} bytes: managed heap {BeforeBytes} -> {AfterBytes} bytes in {ElapsedMs:F0} ms",
            peak, before, after, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}

using Prometheus;

namespace AttentionService.Hosting;

/// <summary>
/// GC and thread-pool series that prometheus-net's <see cref="DotNetStats"/> (process, collections by generation, heap
/// size) leaves out, read from the runtime's own counters at each scrape, so nothing is paid between scrapes.
/// </summary>
public static class RuntimeMetrics
{
    public static void Register(CollectorRegistry registry, IMetricFactory factory)
    {
        var allocated = factory.CreateCounter("dotnet_gc_allocated_bytes_total",
            "Bytes allocated on the managed heap since the process started (GC.GetTotalAllocatedBytes).");
        var pause = factory.CreateCounter("dotnet_gc_pause_seconds_total",
            "Time the runtime was paused for garbage collections since the process started.");
        var committed = factory.CreateGauge("dotnet_gc_committed_bytes",
            "Bytes of memory the GC has committed, as of the last collection.");
        var fragmented = factory.CreateGauge("dotnet_gc_fragmented_bytes",
            "Bytes of free space inside the managed heap, as of the last collection.");
        var threads = factory.CreateGauge("dotnet_threadpool_threads", "Thread-pool threads that exist now.");
        var queued = factory.CreateGauge("dotnet_threadpool_queue_length", "Work items queued to the thread pool and not yet started.");
        var completed = factory.CreateCounter("dotnet_threadpool_completed_items_total",
            "Work items the thread pool has completed since the process started.");

        registry.AddBeforeCollectCallback(() =>
        {
            allocated.IncTo(GC.GetTotalAllocatedBytes());
            pause.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
            var gc = GC.GetGCMemoryInfo();
            committed.Set(gc.TotalCommittedBytes);
            fragmented.Set(gc.FragmentedBytes);
            threads.Set(ThreadPool.ThreadCount);
            queued.Set(ThreadPool.PendingWorkItemCount);
            completed.IncTo(ThreadPool.CompletedWorkItemCount);
        });
    }
}

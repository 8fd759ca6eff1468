using AttentionService.Benchmarks.Columns;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AttentionService.Benchmarks;

/// <summary>
/// One job for every benchmark: a few warm-up and measured iterations (a full suite in a few minutes on 2 cores),
/// allocations per call, GFLOP/s beside the times. Benchmarks run in this process (the in-process emit toolchain):
/// generating and building a separate project per run took over BenchmarkDotNet's 2-minute build timeout on this
/// shared 2-core machine, and in-process runs measure the same JIT-compiled code.
/// </summary>
public static class BenchmarkConfig
{
    public static IConfig Create() => DefaultConfig.Instance
        .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(7).WithId("Short"))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumn(new GflopsColumn(shareOfPeak: false), new GflopsColumn(shareOfPeak: true))
        .AddColumn(StatisticColumn.Median)
        .HideColumns(Column.Error, Column.StdDev, Column.RatioSD, Column.Gen0, Column.Gen1, Column.Gen2)
        .WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared))
        .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(30))
        .WithOptions(ConfigOptions.JoinSummary);
}

using AttentionService.Benchmarks.Kernels;
using AttentionService.Benchmarks.Models;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AttentionService.Benchmarks.Columns;

/// <summary>
/// Achieved GFLOP/s (flops of the case, see <see cref="AttentionCase.Flops"/>, over the mean time) and the share of
/// one core's peak that is: <see cref="PeakGflopsPerCore"/>, 2.5 GHz × 2 FMA ports × 16 lanes × 2 flops. The
/// <see cref="PeakFlops"/> benchmark measures what the core really sustains; docs/performance.md sets the two side by side.
/// </summary>
public sealed class GflopsColumn(bool shareOfPeak) : IColumn
{
    public const double PeakGflopsPerCore = 2.5 * 2 * 16 * 2;

    public string Id => shareOfPeak ? "PeakShare" : "GFLOPs";
    public string ColumnName => shareOfPeak ? "% of 1-core peak" : "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => shareOfPeak ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => shareOfPeak
        ? $"GFLOP/s over one core's theoretical AVX-512 peak of {PeakGflopsPerCore} GFLOP/s"
        : "Matrix-multiply flops of the case over the mean time";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var flops = FlopsOf(benchmarkCase);
        var meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (flops is null || meanNs is not > 0) return "-";
        var gflops = flops.Value / meanNs.Value;
        return shareOfPeak ? $"{100 * gflops / PeakGflopsPerCore:F1}%" : $"{gflops:F2}";
    }

    private static long? FlopsOf(BenchmarkCase benchmarkCase)
    {
        foreach (var parameter in benchmarkCase.Parameters.Items)
            if (parameter.Value is AttentionCase c) return c.Flops;
        return benchmarkCase.Descriptor.WorkloadMethod.Name switch
        {
            nameof(PeakFlops.Vector512Fma) => PeakFlops.Flops512,
            nameof(PeakFlops.Vector256Fma) => PeakFlops.Flops256,
            _ => null,
        };
    }
}

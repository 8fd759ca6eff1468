using AttentionService.Benchmarks;
using BenchmarkDotNet.Running;

// `dotnet run -c Release -- --filter '*'` runs everything; scripts/bench-kernels.sh passes a filter.
BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(args, BenchmarkConfig.Create());

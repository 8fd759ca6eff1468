#!/usr/bin/env bash
# Kernel benchmarks (BenchmarkDotNet, Release, in-process): both backends side by side at the issue's shapes, ONNX
# Runtime's raw OrtValue path as the baseline, allocations per call, GFLOP/s against one core's peak.
#
#   scripts/bench-kernels.sh                      # the issue's shapes and the FMA peak (about 4 minutes)
#   scripts/bench-kernels.sh '*OtherModels*'      # scaled-dot, luong-general, bahdanau, multihead
#   scripts/bench-kernels.sh '*' --job dry        # any BenchmarkDotNet arguments after the filter
#
# Results (markdown, CSV, HTML) go to $ARTIFACTS (default /tmp/attention-bench/kernels).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ARTIFACTS="${ARTIFACTS:-/tmp/attention-bench/kernels}"
FILTER="${1:-*StandardShapes* *PeakFlops*}"
shift || true

dotnet build "$ROOT/benchmarks/AttentionService.Benchmarks/AttentionService.Benchmarks.csproj" -c Release -v quiet -nologo >/dev/null
# shellcheck disable=SC2086 # the default filter is two globs
dotnet "$ROOT/benchmarks/AttentionService.Benchmarks/bin/Release/net10.0/AttentionService.Benchmarks.dll" \
    --filter $FILTER --artifacts "$ARTIFACTS" "$@"

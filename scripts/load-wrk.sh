#!/usr/bin/env bash
# Bounded load on loopback with wrk: publish the app in Release, start it on a free port (request log line quieted),
# then per payload (step: one decoder step, tq 1 tv 32 d 64 on scaled-dot; mixed: every model, batched, masks, causal,
# both backends) a short warm-up and a measured run. Prints requests/s, latency p50/p90/p99, non-2xx and socket-error
# counts, RSS, and the service's Prometheus series. Exits non-zero if any response was not 2xx or any socket failed.
#   scripts/load-wrk.sh                                   (30 s per payload, 16 connections, 2 wrk threads)
#   DURATION=60s CONNECTIONS=32 THREADS=2 scripts/load-wrk.sh
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/load-common.sh"

duration="${DURATION:-30s}"
connections="${CONNECTIONS:-16}"
threads="${THREADS:-2}"

trap 'stop_app; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

ensure_wrk
publish_app
write_payloads
start_app
echo "app: $publish_dir/AttentionService.dll at $base_url (pid $app_pid), $(nproc) cores; wrk -t $threads -c $connections -d $duration"
failed=0
for kind in step mixed; do
  run_wrk "$kind" 5s "$connections" "$threads" > /dev/null
  line="$(run_wrk "$kind" "$duration" "$connections" "$threads")" || failed=1
  echo "$kind: ${line#RESULT }"
  [[ $line =~ non2xx=0\ socket_errors=0 ]] || failed=1
done
echo "rss: $(rss_mib) MiB"
print_metrics
exit $failed

#!/usr/bin/env bash
# Soak: the published app under steady moderate load for a few minutes (the mixed payload of scripts/load-wrk.sh),
# sampling the process RSS every 10 s from /proc/<pid>/status. Prints the wrk figures, the RSS series with first, max
# and last, and the service's Prometheus series. Exits non-zero on any non-2xx or socket error.
#   scripts/soak-wrk.sh                                   (240 s, 8 connections, 1 wrk thread)
#   SOAK_SECONDS=300 CONNECTIONS=8 scripts/soak-wrk.sh
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/load-common.sh"

seconds="${SOAK_SECONDS:-240}"
connections="${CONNECTIONS:-8}"
threads="${THREADS:-1}"
interval=10

trap 'stop_app; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

ensure_wrk
publish_app
write_payloads
start_app
echo "app: $base_url (pid $app_pid), $(nproc) cores; soak ${seconds} s, wrk -t $threads -c $connections, mixed payload"
run_wrk mixed 10s "$connections" "$threads" > /dev/null
samples=("$(rss_mib)")
run_wrk mixed "${seconds}s" "$connections" "$threads" > "$work/soak-result.txt" &
wrk_pid=$!
while kill -0 "$wrk_pid" 2> /dev/null; do
  sleep "$interval"
  kill -0 "$app_pid" 2> /dev/null || { echo "the app exited during the soak" >&2; cat "$work/app.log" >&2; exit 1; }
  samples+=("$(rss_mib)")
done
wait "$wrk_pid"
line="$(cat "$work/soak-result.txt")"
echo "soak: ${line#RESULT }"
echo "rss MiB every ${interval} s (after a 10 s warm-up): ${samples[*]}"
printf '%s\n' "${samples[@]}" | awk 'NR == 1 { first = $1; max = $1 } { if ($1 > max) max = $1; last = $1 }
  END { printf "rss MiB: first %s, max %s, last %s (last - first %+.1f)\n", first, max, last, last - first }'
print_metrics
errors="$(grep -c ' ERR\] \|FTL\]' "$work/app.log")"
echo "app log: $errors error lines"
[[ $line =~ non2xx=0\ socket_errors=0 ]] && [[ $errors -eq 0 ]]

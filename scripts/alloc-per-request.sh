#!/usr/bin/env bash
# Bytes the service process allocates per request, on the managed (GC) heap: publish in Release, start the app on a
# loopback port, warm it up, then for each case read the process's cumulative allocated bytes from /metrics, send
# exactly N requests with hey, read it again and divide.
#
#   scripts/alloc-per-request.sh
#   N=50000 BACKENDS="auto managed" scripts/alloc-per-request.sh
#   REPO=/path/to/checkout bash /tmp/alloc-per-request.sh      # when the script itself lives outside the checkout
#
# The counter is `dotnet_gc_allocated_bytes_total`: GC.GetTotalAllocatedBytes(), read at scrape time
# (src/AttentionService/Hosting/RuntimeMetrics.cs; before, the `System.Runtime` meter's `dotnet.gc.heap.total_allocated`,
# the same figure, exported by prometheus-net's meter adapter). It is cumulative since process start and
# process-wide: every thread and every heap (small objects, LOH, POH) adds to it, Kestrel's, the middleware's, the
# handler's and the backends' allocations alike. It counts managed allocations only (ONNX Runtime's native arena is
# not in it) and is exact up to the unused tails of the threads' allocation contexts (a few KB in all, not per request).
#
# Nothing is subtracted from the figures: bytes/req is (after - before) / N for the whole process. For reading them:
#   - the HTTP floor: the same count of GET /health/live, answered by the same middleware without a model;
#   - one /metrics scrape allocates itself (one scrape falls inside every measured interval), shown once as bytes,
#     and as bytes/req it is that divided by N;
#   - the idle rate: bytes per second the process allocates with no requests (timers, metrics, logging), shown once;
#     each case's wall time is printed, so idle bytes/req = rate * seconds / N.
#
# Settings (environment):
#   N=20000            requests measured per small case (decoder step, padding mask, the HTTP floor)
#   LARGE_N=2000       requests measured for the large case (1x128x128x64: ~170 KB in, ~250 KB out)
#   WARMUP=3000        requests of every small body (and WARMUP/10 large ones) sent once after start, all backends:
#                      the JIT tiers up and the pools fill before anything is measured
#   CASE_WARMUP=1000   requests of the case's own body right before its measurement (CASE_WARMUP/10 for large)
#   CONNECTIONS=4      hey workers (keep-alive connections)
#   BACKENDS="auto onnx managed"   auto = no "backend" property (the service routes); onnx/managed force one
#   OUT=/tmp/attention-alloc       published app, bodies, app log, hey output, results.txt
#   PUBLISH=1          PUBLISH=0 reuses $OUT/publish when it holds a published app
#   APP_ARGS="..."     extra arguments for the app, e.g. "--Attention:Backend=Managed"
#
# The app runs as scripts/load-common.sh starts it for the load scripts: Production, the per-request Information log
# line held to Warning (it would be a console write per request, a cost of this setup), no shutdown drain.
set -euo pipefail

REPO="${REPO:-$(cd "$(dirname "$0")/.." && pwd)}"
OUT="${OUT:-/tmp/attention-alloc}"
N="${N:-20000}"
LARGE_N="${LARGE_N:-2000}"
WARMUP="${WARMUP:-3000}"
CASE_WARMUP="${CASE_WARMUP:-1000}"
CONNECTIONS="${CONNECTIONS:-4}"
BACKENDS="${BACKENDS:-auto onnx managed}"
PUBLISH="${PUBLISH:-1}"
read -r -a APP_EXTRA <<< "${APP_ARGS:-}"
mkdir -p "$OUT"

export ATTENTION_LOAD_WORK="$OUT"
# publish_app, start_app (sets app_pid, base_url), stop_app, as the load scripts use them.
source "$REPO/scripts/load-common.sh"
trap stop_app EXIT

if ! command -v hey > /dev/null; then
  echo "== installing hey" >&2
  apt-get install -y -qq hey > /dev/null || { apt-get update -qq && apt-get install -y -qq hey > /dev/null; }
fi

if [[ "$PUBLISH" == 1 || ! -f "$publish_dir/AttentionService.dll" ]]; then
  echo "== publishing $REPO (Release) into $publish_dir"
  publish_app
fi

echo "== bodies (fixed seed)"
python3 - "$OUT" "$BACKENDS" << 'PY'
import json, random, sys
out, backends = sys.argv[1], sys.argv[2].split()
def body(model, tq, tv, d, seed, **extra):
    r = random.Random(seed)
    row = lambda: [round(r.uniform(-1, 1), 7) for _ in range(d)]
    b = {"model": model, "query": [row() for _ in range(tq)], "values": [row() for _ in range(tv)]}
    b.update(extra)
    return b
cases = {
    "decoder": body("luong-dot", 1, 32, 64, 7),                         # batch 1, tq 1, tv 32, d 64
    "padmask": body("scaled-dot", 16, 16, 64, 8, mask=[True] * 16),     # padding mask [tv], all true
    "large": body("luong-dot", 128, 128, 64, 9),                        # batch 1, tq 128, tv 128, d 64
}
for name, b in cases.items():
    for backend in backends:
        forced = dict(b, backend=backend) if backend != "auto" else b
        with open(f"{out}/{name}-{backend}.json", "w") as f:
            f.write(json.dumps(forced, separators=(",", ":")))
PY
for name in decoder padmask large; do
  printf '  %-8s %8s bytes\n' "$name" "$(stat -c %s "$OUT/$name-${BACKENDS%% *}.json")"
done

# allocated: the process's cumulative allocated bytes, as an integer.
allocated() {
  curl -fs "$base_url/metrics" | awk '$1 == "dotnet_gc_allocated_bytes_total" { printf "%.0f\n", $2; found = 1 }
    END { if (!found) { print "no dotnet_gc_allocated_bytes_total on /metrics" > "/dev/stderr"; exit 1 } }'
}

# served PATH METHOD: 200 answers the service has counted for an endpoint (http_requests_received_total), or "-".
served() {
  curl -fs "$base_url/metrics" | awk -v ep="endpoint=\"$1\"" -v m="method=\"$2\"" '
    /^http_requests_received_total\{/ && index($0, ep) && index($0, m) && index($0, "code=\"200\"") { n += $NF; found = 1 }
    END { if (found) printf "%.0f\n", n; else print "-" }'
}

# load COUNT URL [BODY]: exactly COUNT requests (POST of BODY, or GET); fails unless all COUNT answered 200.
load() {
  local count=$1 url=$2 body=${3:-} log="$OUT/hey.txt"
  if [[ -n "$body" ]]; then
    hey -n "$count" -c "$CONNECTIONS" -t 60 -m POST -T application/json -D "$body" "$url" > "$log" 2>&1
  else
    hey -n "$count" -c "$CONNECTIONS" -t 60 "$url" > "$log" 2>&1
  fi
  local ok
  ok=$(awk '/Status code distribution/ { s = 1 } s && /\[200\]/ { print $2 }' "$log")
  if [[ "$ok" != "$count" ]] || grep -q "Error distribution" "$log"; then
    echo "expected $count answers 200 from $url${body:+ ($body)}, hey saw:" >&2
    sed -n '/Status code distribution/,$p' "$log" >&2
    exit 1
  fi
}

start_app "${APP_EXTRA[@]}"
echo "== app pid $app_pid at $base_url ($(git -C "$REPO" rev-parse --short HEAD 2> /dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD 2> /dev/null || echo ', with uncommitted changes'))"

echo "== warm-up: $WARMUP of each small body, $((WARMUP / 10)) large, per backend; $WARMUP GET /health/live"
load "$WARMUP" "$base_url/health/live"
for backend in $BACKENDS; do
  load "$WARMUP" "$base_url/attend" "$OUT/decoder-$backend.json"
  load "$WARMUP" "$base_url/attend" "$OUT/padmask-$backend.json"
  load "$((WARMUP / 10))" "$base_url/attend" "$OUT/large-$backend.json"
done

# Context for reading the figures (not subtracted): one scrape's own allocation and the idle rate.
s0=$(allocated); s1=$(allocated); s2=$(allocated); s3=$(allocated)
scrape=$(((s3 - s0) / 3))
i0=$(allocated); sleep 10; i1=$(allocated)
idle=$(((i1 - i0 - scrape) / 10))

results="$OUT/results.txt"
printf '%-34s %-8s %7s %16s %14s %9s\n' case backend N "allocated bytes" "bytes/request" "seconds" | tee "$results"

# measure LABEL BACKEND COUNT WARM PATH [BODY]
measure() {
  local label=$1 backend=$2 count=$3 warm=$4 path=$5 body=${6:-} method=POST before after served0 served1 t0 t1
  [[ -n "$body" ]] || method=GET
  load "$warm" "$base_url$path" "$body"
  served0=$(served "$path" "$method")
  before=$(allocated)
  t0=$(date +%s.%N)
  load "$count" "$base_url$path" "$body"
  t1=$(date +%s.%N)
  after=$(allocated)
  served1=$(served "$path" "$method")
  if [[ "$served0" != - && $((served1 - served0)) -ne "$count" ]]; then
    echo "the service counted $((served1 - served0)) answers 200 on $path, expected $count" >&2
    exit 1
  fi
  printf '%-34s %-8s %7d %16d %14.0f %9.1f\n' "$label" "$backend" "$count" "$((after - before))" \
    "$(awk -v b="$((after - before))" -v n="$count" 'BEGIN { print b / n }')" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" | tee -a "$results"
}

measure "HTTP floor: GET /health/live" - "$N" "$CASE_WARMUP" /health/live
for backend in $BACKENDS; do
  measure "decoder luong-dot 1x1x32x64" "$backend" "$N" "$CASE_WARMUP" /attend "$OUT/decoder-$backend.json"
done
for backend in $BACKENDS; do
  measure "padding mask scaled-dot 1x16x16x64" "$backend" "$N" "$CASE_WARMUP" /attend "$OUT/padmask-$backend.json"
done
for backend in $BACKENDS; do
  measure "large luong-dot 1x128x128x64" "$backend" "$LARGE_N" "$((CASE_WARMUP / 10))" /attend "$OUT/large-$backend.json"
done

{
  echo "one /metrics scrape allocates ~$scrape bytes (one falls in each measured interval: $((scrape / N)) B/req at N=$N)"
  echo "idle: ~$idle bytes/s with no requests"
  echo "RSS after: $(rss_mib) MiB"
} | tee -a "$results"

#!/usr/bin/env bash
# HTTP benchmark of POST /attend against a bare Kestrel baseline (benchmarks/AttentionService.HttpBaseline) that parses
# the same JSON with the host's own reader and writes a same-shaped answer, without attention.
#
#   scripts/bench-http.sh            # decoder step under wrk, then the large answer
#   ROUNDS=5 DURATION=15 scripts/bench-http.sh
#
# Settings (environment):
#   ROUNDS=3 DURATION=10     wrk rounds per server and seconds per round; servers alternate within each round
#   WARMUP=20                seconds of load before each measured round: the host has far more code than the
#                            baseline to tier up, and with a 3 s warm-up it was still compiling (11% of its CPU in the
#                            JIT) while measured
#   LARGE_WARMUP=10          large requests before the timed ones
#   PIN=0                    PIN=1 puts the server on CPU 0 and wrk on CPU 1. Not the default: a .NET process that
#                            sees one CPU ran this JSON path about 10x slower here (tiered JIT and thread-pool
#                            behaviour on one core), which measures the runtime, not the service
#   CONNECTIONS=16 and one wrk thread: 16 requests in flight keep both cores of the server busy while wrk, which
#                            only replays a fixed body, needs a fraction of one core
#   BACKENDS="auto managed"  host configurations loaded beside the baseline (Attention:Backend = Auto, Managed, Onnx)
#   LARGE_REQUESTS=10        requests timed for the large answer (tq = tv = 512, d = 64)
#   OUT=/tmp/attention-bench published apps, payloads and raw wrk output
#   PUBLISH=1                PUBLISH=0 reuses the apps already published in $OUT
#   HOST_ENV="A=1 B=2"       extra environment for the host only, e.g. Attention__Concurrency__MaxConcurrentRuns=64
#   SERVER_ENV="A=1"         extra environment for both servers, e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0
#
# The host runs in Release with Serilog's minimum level at Warning: its one Information line per request would
# otherwise be a console write per request, a cost of the benchmark setup rather than of the service.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-/tmp/attention-bench}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-20}"
LARGE_WARMUP="${LARGE_WARMUP:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
PIN="${PIN:-0}"
BACKENDS="${BACKENDS:-auto managed}"
LARGE_REQUESTS="${LARGE_REQUESTS:-10}"
PUBLISH="${PUBLISH:-1}"
read -r -a HOST_EXTRA <<<"${HOST_ENV:-}"
read -r -a SERVER_EXTRA <<<"${SERVER_ENV:-}"
BASELINE_PORT=5180
HOST_PORT=5181
TOOLS="$OUT/tools"
mkdir -p "$OUT"

if ! command -v wrk >/dev/null; then
    echo "== installing wrk"
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [[ ! -x "$TOOLS/dotnet-counters" ]]; then
    echo "== installing dotnet-counters (allocated bytes per request)"
    dotnet tool install --tool-path "$TOOLS" dotnet-counters >/dev/null
fi

if [[ "$PUBLISH" == 1 ]]; then
    echo "== publishing (Release)"
    for project in src/AttentionService/AttentionService.csproj benchmarks/AttentionService.HttpBaseline/AttentionService.HttpBaseline.csproj; do
        out="$OUT/$([[ "$project" == src/* ]] && echo host || echo baseline)"
        dotnet publish "$ROOT/$project" -c Release -o "$out" -v quiet -nologo >"$OUT/publish.log" 2>&1 || { cat "$OUT/publish.log" >&2; exit 1; }
    done
fi

echo "== payloads"
python3 - "$OUT" <<'EOF'
import json, random, sys
out = sys.argv[1]
def payload(tq, tv, d, seed):
    r = random.Random(seed)
    row = lambda: [round(r.uniform(-1, 1), 7) for _ in range(d)]
    return json.dumps({"model": "luong-dot", "query": [row() for _ in range(tq)], "values": [row() for _ in range(tv)]},
                      separators=(",", ":"))
for name, (tq, tv, d) in {"decoder": (1, 32, 64), "large": (512, 512, 64)}.items():
    with open(f"{out}/{name}.json", "w") as f:
        f.write(payload(tq, tv, d, 7))
EOF
printf '  decoder step: %s bytes (tq 1, tv 32, d 64); large: %s bytes (tq 512, tv 512, d 64)\n' \
    "$(stat -c %s "$OUT/decoder.json")" "$(stat -c %s "$OUT/large.json")"
cat >"$OUT/post.lua" <<'EOF'
local f = assert(io.open(os.getenv("PAYLOAD"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
EOF

SERVER_CPU=()
CLIENT_CPU=()
if [[ "$PIN" == 1 ]]; then
    SERVER_CPU=(taskset -c 0)
    CLIENT_CPU=(taskset -c 1)
fi

PID=""
stop_server() {
    if [[ -n "$PID" ]]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
        PID=""
    fi
}
trap stop_server EXIT

# start_server NAME: the baseline, or the host under the policy NAME (auto, managed, onnx).
start_server() {
    local name="$1" port
    if [[ "$name" == baseline ]]; then
        port=$BASELINE_PORT
        env -C "$OUT/baseline" ASPNETCORE_URLS="http://127.0.0.1:$port" "${SERVER_EXTRA[@]}" "${SERVER_CPU[@]}" \
            dotnet AttentionService.HttpBaseline.dll >"$OUT/$name.log" 2>&1 &
    else
        port=$HOST_PORT
        env -C "$OUT/host" ASPNETCORE_URLS="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production \
            Attention__ModelsPath="$ROOT/models" Attention__Backend="$name" Serilog__MinimumLevel__Default=Warning \
            "${SERVER_EXTRA[@]}" "${HOST_EXTRA[@]}" "${SERVER_CPU[@]}" dotnet AttentionService.dll >"$OUT/$name.log" 2>&1 &
    fi
    PID=$!
    URL="http://127.0.0.1:$port/attend"
    for _ in $(seq 1 120); do
        if curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary "@$OUT/decoder.json" "$URL"; then
            # The process that listens (for dotnet-counters and /proc), whatever wrappers started it.
            PID=$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
            return
        fi
        sleep 0.5
    done
    echo "server $name did not answer on $URL; log:" >&2
    cat "$OUT/$name.log" >&2 || true
    exit 1
}

# to_us "1.23ms" -> 1230
to_us() {
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /s$/) print n * 1000000; else print n }'
}

# run_wrk NAME SECONDS: one wrk run on the decoder payload; prints "rps p50_us p99_us", fails on any non-2xx answer.
run_wrk() {
    local name="$1" seconds="$2" file="$OUT/wrk-$1-$(date +%s%N).txt"
    PAYLOAD="$OUT/decoder.json" "${CLIENT_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$OUT/post.lua" "$URL" >"$file"
    if grep -q "Non-2xx" "$file"; then
        echo "wrk saw error answers from $name:" >&2
        cat "$file" >&2
        exit 1
    fi
    local rps p50 p99
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$file")
    p50=$(to_us "$(awk '$1 == "50%" { print $2 }' "$file")")
    p99=$(to_us "$(awk '$1 == "99%" { print $2 }' "$file")")
    echo "$rps $p50 $p99"
}

read -r -a SERVERS <<<"baseline $BACKENDS"
declare -A RPS P50 P99
echo "== decoder step: wrk -t1 -c$CONNECTIONS, ${ROUNDS} rounds x ${DURATION}s per server, alternating (pinned: $PIN)"
for round in $(seq 1 "$ROUNDS"); do
    for server in "${SERVERS[@]}"; do
        start_server "$server"
        run_wrk "$server" "$WARMUP" >/dev/null # warm-up: JIT tiers, pools, connection setup
        read -r rps p50 p99 <<<"$(run_wrk "$server" "$DURATION")"
        stop_server
        RPS[$server]="${RPS[$server]:-} $rps"
        P50[$server]="${P50[$server]:-} $p50"
        P99[$server]="${P99[$server]:-} $p99"
        printf '  round %d %-9s %10.0f req/s   p50 %7.0f us   p99 %7.0f us\n' "$round" "$server" "$rps" "$p50" "$p99"
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "== decoder step, medians over rounds"
printf '  %-9s %12s %10s %10s %20s\n' server "req/s" "p50 us" "p99 us" "ratio to baseline"
base_rps=$(echo "${RPS[baseline]}" | median)
for server in "${SERVERS[@]}"; do
    rps=$(echo "${RPS[$server]}" | median)
    printf '  %-9s %12.0f %10.0f %10.0f %20.3f\n' "$server" "$rps" "$(echo "${P50[$server]}" | median)" \
        "$(echo "${P99[$server]}" | median)" "$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { print a / b }')"
done

# allocated_bytes FILE: bytes the GC handed out while dotnet-counters collected FILE (per-second increments of
# dotnet.gc.heap.total_allocated), less the idle rate (the smallest second, mostly the counter session itself).
allocated_bytes() {
    awk -F, '$3 ~ /total_allocated/ { n++; sum += $NF; if (min == "" || $NF < min) min = $NF } END { printf "%.0f", sum - n * min }' "$1"
}

# large_requests N: N sequential large requests over one connection; appends "ttfb_s total_s bytes" per request to
# $TIMES. Time to first byte is until the status line and headers have arrived (Kestrel sends them with the first
# body bytes); curl's time_starttransfer is not used because for uploads curl 7.88 starts that clock early.
large_requests() {
    python3 - "$1" "$URL" "$OUT/large.json" >>"$TIMES" <<'PY'
import http.client, sys, time, urllib.parse
count, url, payload = int(sys.argv[1]), urllib.parse.urlsplit(sys.argv[2]), open(sys.argv[3], "rb").read()
connection = http.client.HTTPConnection(url.hostname, url.port)
for _ in range(count):
    start = time.perf_counter()
    connection.request("POST", url.path, body=payload, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    first = time.perf_counter()
    body = response.read()
    end = time.perf_counter()
    if response.status != 200:
        sys.exit(f"{url.geturl()} answered {response.status}: {body[:300]!r}")
    print(f"{first - start:.6f} {end - start:.6f} {len(body)}")
PY
}

[[ "$LARGE_REQUESTS" -gt 0 ]] || exit 0
echo "== large answer (tq = tv = 512, d = 64): $LARGE_REQUESTS sequential requests after $LARGE_WARMUP warm-ups"
printf '  %-9s %10s %10s %12s %14s %12s %12s\n' server "TTFB ms" "total ms" "answer MB" "alloc MB/req" "RSS MB" "peak RSS MB"
for server in "${SERVERS[@]}"; do
    start_server "$server"
    TIMES=/dev/null
    large_requests "$LARGE_WARMUP"
    TIMES="$OUT/large-$server.txt"
    : >"$TIMES"
    large_requests "$LARGE_REQUESTS"
    # A second pass under dotnet-counters, which needs a fixed duration to write its file: 3 idle seconds, the
    # requests (as long as the timed pass took), 3 more seconds for the last sample.
    seconds=$(awk '{ t += $2 } END { printf "%d", t + 7 }' "$TIMES")
    counters="$OUT/counters-$server.csv"
    rm -f "$counters"
    (sleep 3; TIMES=/dev/null large_requests "$LARGE_REQUESTS") &
    requests=$!
    "$TOOLS/dotnet-counters" collect -p "$PID" --counters System.Runtime --refresh-interval 1 --format csv -o "$counters" \
        --duration "$(printf '%02d:%02d:%02d' $((seconds / 3600)) $((seconds / 60 % 60)) $((seconds % 60)))" >/dev/null 2>&1
    wait "$requests"
    rss=$(awk '/^VmRSS/ { print $2 / 1024 }' "/proc/$PID/status")
    hwm=$(awk '/^VmHWM/ { print $2 / 1024 }' "/proc/$PID/status")
    stop_server
    ttfb=$(awk '{ print $1 * 1000 }' "$TIMES" | median)
    total=$(awk '{ print $2 * 1000 }' "$TIMES" | median)
    size=$(awk 'NR == 1 { print $3 / 1048576 }' "$TIMES")
    alloc=$(awk -v b="$(allocated_bytes "$counters")" -v n="$LARGE_REQUESTS" 'BEGIN { print b / n / 1048576 }')
    printf '  %-9s %10.1f %10.1f %12.2f %14.2f %12.0f %12.0f\n' "$server" "$ttfb" "$total" "$size" "$alloc" "$rss" "$hwm"
done

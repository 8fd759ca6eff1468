#!/usr/bin/env bash
# Shared by scripts/load-wrk.sh and scripts/soak-wrk.sh (sourced, not run): publish the app in Release, start it on a
# free loopback port with per-request logging quieted, write the wrk payloads and Lua script, read RSS and /metrics.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${ATTENTION_LOAD_WORK:-$(mktemp -d -t attention-load.XXXXXX)}"
publish_dir="$work/publish"
app_pid=""
base_url=""

ensure_wrk() {
  command -v wrk > /dev/null && return
  echo "wrk not found; installing it with apt-get" >&2
  apt-get install -y wrk > /dev/null || { apt-get update > /dev/null && apt-get install -y wrk > /dev/null; }
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

publish_app() {
  "$repo_root/scripts/publish.sh" "$publish_dir" > "$work/publish.log" 2>&1 \
    || { cat "$work/publish.log" >&2; echo "publish failed" >&2; exit 1; }
}

# Starts the published app; every request would log a line at Information, so the request logger is held to warnings.
start_app() {
  local port
  port="$(free_port)"
  base_url="http://127.0.0.1:$port"
  (cd "$publish_dir" && exec env ASPNETCORE_ENVIRONMENT=Production \
    'Serilog__MinimumLevel__Override__Serilog.AspNetCore.RequestLoggingMiddleware=Warning' \
    Attention__ShutdownDrainSeconds=0 dotnet AttentionService.dll --urls "$base_url" "$@") > "$work/app.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 300); do
    if curl -fs "$base_url/health/ready" > /dev/null 2>&1; then return; fi
    kill -0 "$app_pid" 2> /dev/null || break
    sleep 0.2
  done
  cat "$work/app.log" >&2
  echo "the app did not become ready at $base_url" >&2
  exit 1
}

source "$(dirname "${BASH_SOURCE[0]}")/app-process.sh"

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$app_pid/status"; }

# The service's own series after a run: inferences, fallbacks, rejections, and responses by status code.
print_metrics() {
  echo "metrics ($base_url/metrics):"
  curl -fs "$base_url/metrics" \
    | grep -E '^(attention_(inferences|fallbacks|rejected_requests)_total|http_requests_received_total)' \
    | sed 's/^/  /' || echo "  (no /metrics endpoint)"
}

# Payloads: "step" is one decoder step (tq 1, tv 32, d 64) on scaled-dot; "mixed" cycles through every model, batched
# and unbatched, with keys, padding and full masks, causal, and both backends forced. All are valid requests.
write_payloads() {
  python3 - "$work" << 'PY'
import json, random, sys
rng = random.Random(2024)
def m(rows, cols): return [[round(rng.uniform(-1, 1), 4) for _ in range(cols)] for _ in range(rows)]
def b(batch, rows, cols): return [m(rows, cols) for _ in range(batch)]
step = [{"model": "scaled-dot", "query": m(1, 64), "values": m(32, 64)}]
mixed = [
    {"model": "scaled-dot", "query": m(1, 64), "values": m(32, 64)},
    {"model": "luong-dot", "query": m(4, 16), "values": m(12, 16)},
    {"model": "luong-dot", "backend": "managed", "query": b(2, 3, 8), "values": b(2, 7, 8), "mask": [[True] * 5 + [False] * 2, [True] * 7]},
    {"model": "luong-general", "query": m(2, 64), "keys": m(16, 64), "values": m(16, 32)},
    {"model": "bahdanau", "query": m(1, 64), "values": m(20, 64)},
    {"model": "multihead", "query": m(8, 64), "values": m(8, 64), "causal": True},
    {"model": "multihead", "backend": "managed", "query": b(2, 1, 64), "values": b(2, 24, 64)},
    {"model": "scaled-dot", "backend": "onnx", "query": m(3, 64), "values": m(10, 64), "mask": [[j <= i + 5 for j in range(10)] for i in range(3)]},
]
for name, bodies in (("step", step), ("mixed", mixed)):
    with open(f"{sys.argv[1]}/{name}.lua", "w") as lua:
        lua.write("bodies = {\n")
        for body in bodies:
            lua.write("[==[" + json.dumps(body, separators=(",", ":")) + "]==],\n")
        lua.write("}\n")
PY
  for kind in step mixed; do cat >> "$work/$kind.lua" << 'LUA'
-- Each connection posts the bodies in turn, starting at a different one, and counts statuses itself.
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  next_body = id
  statuses = {}
end
function request()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, bodies[next_body])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local by_status = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do by_status[status] = (by_status[status] or 0) + count end
  end
  local shown = {}
  for status, count in pairs(by_status) do table.insert(shown, status .. "x" .. count) end
  table.sort(shown)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d statuses=%s\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, table.concat(shown, ",")))
end
LUA
  done
}

# Runs wrk and prints its RESULT line (the Lua done() hook): requests/s, latency p50/p90/p99, non-2xx, socket errors.
run_wrk() {
  local kind=$1 duration=$2 connections=$3 threads=$4
  wrk -t "$threads" -c "$connections" -d "$duration" --timeout 10s -s "$work/$kind.lua" "$base_url/attend" > "$work/wrk-$kind.txt" 2>&1
  grep '^RESULT' "$work/wrk-$kind.txt" || { cat "$work/wrk-$kind.txt" >&2; return 1; }
}

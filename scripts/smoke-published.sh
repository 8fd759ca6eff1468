#!/usr/bin/env bash
# Smoke test of the published app, as the image ships it (scripts/publish.sh):
#   1. publish, start `dotnet AttentionService.dll`, wait for /health/ready, POST /attend: backend "onnx",
#      numbers equal to an independent double-precision computation within 1e-5;
#   2. delete the native ONNX Runtime (libonnxruntime.so*), restart, wait for /health/ready, check the log says once that
#      onnx is not available, POST the same request: backend "managed" and the same numbers as step 1 within 1e-5.
# Prints PASS/FAIL lines; exits non-zero on any failure. The app is always stopped and the temp dir removed.
#   scripts/smoke-published.sh [extra scripts/publish.sh args]
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tolerance=1e-5
work="$(mktemp -d -t attention-smoke.XXXXXX)"
publish_dir="$work/publish"
app_pid=""
failures=0

source "$(dirname "${BASH_SOURCE[0]}")/app-process.sh"
cleanup() { stop_app; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_app LOG: starts the published app on a free loopback port; sets app_pid and port.
start_app() {
  port="$(free_port)"
  # From the publish dir, as the image runs it (WORKDIR /app), so the app resolves its own models/ folder.
  # Auto with ONNX Runtime first at every size (small requests would start on the managed backend): run 1 checks onnx.
  (cd "$publish_dir" && Attention__Backend=Auto Attention__AutoManagedMaxScores=0 ASPNETCORE_ENVIRONMENT=Production \
    Attention__ShutdownDrainSeconds=0 exec dotnet "$publish_dir/AttentionService.dll" --urls "http://127.0.0.1:$port") > "$1" 2>&1 &
  app_pid=$!
}

# ready_once: exit 0 when GET /health/ready answers 200, else prints what it got.
ready_once() {
  python3 - "http://127.0.0.1:$port/health/ready" << 'PY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as response:
        sys.exit(0 if response.status == 200 else f"GET {sys.argv[1]}: {response.status}")
except (urllib.error.URLError, OSError) as error:
    sys.exit(f"GET {sys.argv[1]}: {error}")
PY
}

# wait_ready LOG: polls /health/ready, up to 90 s.
wait_ready() {
  local last=""
  for _ in $(seq 1 180); do
    if ! kill -0 "$app_pid" 2> /dev/null; then
      echo "app exited before it was ready; end of its log:"; tail -n 20 "$1"; return 1
    fi
    last="$(ready_once 2>&1)" && return 0
    sleep 0.5
  done
  echo "not ready within 90 s; last check: ${last##*$'\n'}; end of the app log:"; tail -n 20 "$1"; return 1
}

# post_attend OUT: POSTs the fixed request to /attend, writes the response body to OUT.
post_attend() {
  python3 - "http://127.0.0.1:$port/attend" "$1" << 'PY'
import json, sys, urllib.request, urllib.error
body = {
    "model": "luong-dot",
    "query": [[0.5, -1.25, 2.0, 0.125], [1.5, 0.25, -0.75, 1.0]],
    "values": [[1.0, 0.0, -1.0, 0.5], [-0.5, 2.0, 0.25, 1.5], [0.75, -0.25, 1.25, -1.0]],
}
request = urllib.request.Request(sys.argv[1], data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = response.read()
except urllib.error.HTTPError as error:
    sys.exit(f"POST /attend answered {error.code}: {error.read().decode(errors='replace')[:500]}")
open(sys.argv[2], "wb").write(payload)
PY
}

# compare.py MODE FILE [FILE]: "reference" checks FILE against a double-precision computation of the same request;
# "same" checks the second answer's numbers equal the first's. Both within $tolerance, elementwise.
compare() {
  python3 - "$tolerance" "$@" << 'PY'
import json, math, sys
tolerance, mode = float(sys.argv[1]), sys.argv[2]
def flat(x):
    return [v for item in x for v in flat(item)] if isinstance(x, list) else [float(x)]
def worst(actual, expected, name):
    a, e = flat(actual), flat(expected)
    if len(a) != len(e):
        sys.exit(f"{name}: {len(a)} numbers, expected {len(e)}")
    return max(abs(x - y) for x, y in zip(a, e))
first = json.load(open(sys.argv[3]))
if mode == "reference":
    q = [[0.5, -1.25, 2.0, 0.125], [1.5, 0.25, -0.75, 1.0]]
    v = [[1.0, 0.0, -1.0, 0.5], [-0.5, 2.0, 0.25, 1.5], [0.75, -0.25, 1.25, -1.0]]
    weights = []
    for row in q:
        scores = [sum(a * b for a, b in zip(row, value)) for value in v]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        weights.append([x / sum(exps) for x in exps])
    context = [[sum(w * value[j] for w, value in zip(ws, v)) for j in range(len(v[0]))] for ws in weights]
    expected = {"context": context, "weights": weights}
else:
    expected = json.load(open(sys.argv[4]))
errors = {k: worst(first[k], expected[k], k) for k in ("context", "weights")}
print(" ".join(f"max|{k} diff|={e:.2e}" for k, e in errors.items()))
sys.exit(0 if all(e <= tolerance for e in errors.values()) else 1)
PY
}

field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' "$1" "$2"; }

# decode_date URL: the seq2seq model dates decodes the README's date; prints "output backend", fails otherwise.
decode_date() {
  python3 - "$1" << 'PY'
import json, sys, urllib.error, urllib.request
body = {"model": "dates", "source": "24 November 2026"}
request = urllib.request.Request(sys.argv[1], data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
except urllib.error.HTTPError as error:
    sys.exit(f"POST /attend with text answered {error.code}: {error.read().decode(errors='replace')[:500]}")
print(answer["output"], answer["backend"])
sys.exit(0 if answer["output"] == "2026-11-24" and len(answer["weights"]) == len(answer["outputTokens"]) else 1)
PY
}

echo "publishing with scripts/publish.sh into $publish_dir"
if ! "$repo_root/scripts/publish.sh" "$publish_dir" "$@" > "$work/publish.log" 2>&1; then
  tail -n 30 "$work/publish.log"
  fail "scripts/publish.sh"
  exit 1
fi
pass "scripts/publish.sh ($(ls "$publish_dir"/models/*.onnx | wc -l) model(s) in the publish output)"

natives=$(find "$publish_dir" -name 'libonnxruntime.so*' | wc -l)
if [[ $natives -gt 0 ]]; then pass "publish output carries the native ONNX Runtime ($natives file(s))"
else fail "publish output has no libonnxruntime.so*"; fi

# Run 1: as published.
start_app "$work/app-onnx.log"
if wait_ready "$work/app-onnx.log"; then
  pass "published app ready on port $port"
  if post_attend "$work/onnx.json"; then
    backend="$(field "$work/onnx.json" backend)"
    [[ $backend == onnx ]] && pass "POST /attend ran on backend \"onnx\"" || fail "POST /attend ran on backend \"$backend\", expected \"onnx\""
    if diffs="$(compare reference "$work/onnx.json")"; then pass "onnx answer equals the double-precision reference ($diffs)"
    else fail "onnx answer differs from the double-precision reference by more than $tolerance ($diffs)"; fi
  else
    fail "POST /attend with the native runtime"
  fi
  if decoded="$(decode_date "http://127.0.0.1:$port/attend")"; then pass "the seq2seq model dates decodes \"24 November 2026\" ($decoded)"
  else fail "the seq2seq model dates did not decode \"24 November 2026\" to 2026-11-24 ($decoded)"; fi
else
  fail "published app did not become ready"
fi
stop_app

# Run 2: the native runtime removed; Auto must fall back to the managed backend with the same numbers.
find "$publish_dir" -name 'libonnxruntime.so*' -delete
left=$(find "$publish_dir" -name 'libonnxruntime.so*' | wc -l)
[[ $left -eq 0 ]] && pass "deleted libonnxruntime.so* from the publish output" || fail "$left libonnxruntime.so* left"

start_app "$work/app-managed.log"
if wait_ready "$work/app-managed.log"; then
  pass "app without the native runtime ready on port $port"
  # One probe at start for the whole process: one line, and no model's load says it again.
  said=$(grep -c "Backend onnx is not available: ONNX Runtime's native library could not be loaded" "$work/app-managed.log")
  per_model=$(grep -c "has no onnx backend" "$work/app-managed.log")
  if [[ $said -eq 1 && $per_model -eq 0 ]]; then pass "the app said once, at start, that onnx is not available"
  else fail "onnx's absence logged $said time(s) for the process and $per_model time(s) per model, expected 1 and 0"; fi
  if post_attend "$work/managed.json"; then
    backend="$(field "$work/managed.json" backend)"
    [[ $backend == managed ]] && pass "POST /attend fell back to backend \"managed\"" || fail "POST /attend ran on backend \"$backend\", expected \"managed\""
    if [[ -f $work/onnx.json ]]; then
      if diffs="$(compare same "$work/managed.json" "$work/onnx.json")"; then pass "managed answer equals the onnx answer ($diffs)"
      else fail "managed answer differs from the onnx answer by more than $tolerance ($diffs)"; fi
    else
      fail "no onnx answer to compare the managed answer with"
    fi
  else
    fail "POST /attend without the native runtime"
  fi
  if decoded="$(decode_date "http://127.0.0.1:$port/attend")"; then pass "without the native runtime, dates decodes \"24 November 2026\" ($decoded)"
  else fail "without the native runtime, dates did not decode \"24 November 2026\" to 2026-11-24 ($decoded)"; fi
else
  fail "app without the native runtime did not become ready"
fi
stop_app

if [[ $failures -eq 0 ]]; then echo "smoke-published: all checks passed"; exit 0; fi
echo "smoke-published: $failures check(s) failed"
exit 1

#!/usr/bin/env bash
# A 512 x 512 weights answer of POST /v2/models/luong-dot/infer in JSON and under the binary tensor data extension:
# publish in Release, start the app on a loopback port, send the same request (query and values [1, 512, 4], the
# weights output asked for) N times each way with curl, and print the answer's bytes and the median and minimum time
# of the last N - WARMUP requests (curl's time_total: request sent, answer read whole, on one keep-alive-less call).
#
#   scripts/bench-v2-binary.sh
#   N=50 WARMUP=10 scripts/bench-v2-binary.sh
set -euo pipefail
N="${N:-25}"
WARMUP="${WARMUP:-5}"
source "$(dirname "$0")/load-common.sh"
trap stop_app EXIT

publish_app
start_app
python3 - "$work" << 'PY'
import json, random, sys
rng = random.Random(0)
query = [round(rng.uniform(-1, 1), 4) for _ in range(512 * 4)]
values = [round(rng.uniform(-1, 1), 4) for _ in range(512 * 4)]
for kind, binary in (("json", False), ("binary", True)):
    body = {"inputs": [{"name": "query", "datatype": "FP32", "shape": [1, 512, 4], "data": query},
                       {"name": "values", "datatype": "FP32", "shape": [1, 512, 4], "data": values}],
            "outputs": [{"name": "weights", "parameters": {"binary_data": binary}}]}
    open(f"{sys.argv[1]}/w512-{kind}.json", "w").write(json.dumps(body))
PY
printf '%-8s %12s %12s %12s\n' answer bytes median_ms min_ms
for kind in json binary; do
  for _ in $(seq 1 "$N"); do
    curl -fs -o /dev/null -w '%{size_download} %{time_total}\n' -H 'Content-Type: application/json' \
      --data-binary "@$work/w512-$kind.json" "$base_url/v2/models/luong-dot/infer"
  done | tail -n "$((N - WARMUP))" | sort -k2 -n \
    | awk -v kind="$kind" '{ t[NR] = $2 * 1000; bytes = $1 } END { printf "%-8s %12d %12.1f %12.1f\n", kind, bytes, t[int((NR + 1) / 2)], t[1] }'
done

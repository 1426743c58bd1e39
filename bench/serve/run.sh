#!/usr/bin/env bash
# Load test of samples/Serve (docs/benchmarks.md, "Service"): the NativeAOT service with Nn (--engine nn) against the same
# binary with ONNX Runtime (--engine onnx, one intra-op thread), on the same model (samples/models). For each body (a PNG
# of the first Fashion-MNIST test image, and the same image as a JSON vector) and each number of connections (1, 16, 64),
# it starts a fresh server per engine, warms it up with wrk for 2 s, runs wrk --latency for $DURATION s (default 10), reads
# the server's peak resident memory (VmHWM) and stops it; Nn and ONNX Runtime alternate cell by cell, so that noise from
# other work on the machine hits both. Prints a markdown table. wrk and the server share the machine's cores.
#
#   bench/serve/run.sh                  # publish, then measure (about 3 minutes with DURATION=10)
#   SKIP_PUBLISH=1 bench/serve/run.sh   # reuse artifacts/serve-bench
#   ROUNDS=3 DURATION=15 bench/serve/run.sh   # the whole table three times, 15 s per cell
#
# Needs wrk (apt-get install wrk), python3, clang (NativeAOT) and Fashion-MNIST (dataset-fashion-mnist).
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${DURATION:-10}
out=artifacts/serve-bench
images=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

if [ "${SKIP_PUBLISH:-0}" != 1 ]; then
  dotnet publish samples/Serve -c Release -r linux-x64 -o "$out" >/dev/null
fi
mkdir -p "$out/bodies"
python3 bench/serve/bodies.py "$images" "$out/bodies"

pid=""
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; fi; }
trap stop EXIT

# wrk's latency (e.g. 812.00us, 1.20ms, 1.01s) in milliseconds.
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

# run ENGINE PORT BODY TYPE CONNECTIONS THREADS: sets rps, p50 and p99 (ms) and rss (peak, MB). Not in a subshell, so
# that the EXIT trap stops a server left running by a failure.
run() {
  local engine=$1 port=$2 body=$3 type=$4 connections=$5 threads=$6 log
  "$out/Serve" --engine "$engine" --urls "http://127.0.0.1:$port" >"$out/server-$engine.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$port/health" >/dev/null || { echo "the $engine server did not start: $(cat "$out/server-$engine.log")" >&2; exit 1; }
  local url="http://127.0.0.1:$port/classify"
  [ "$type" = application/json ] && url="$url/vector"
  BODY=$body TYPE=$type wrk -t"$threads" -c"$connections" -d2s -s bench/serve/post.lua "$url" >/dev/null
  log=$(BODY=$body TYPE=$type wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s bench/serve/post.lua "$url")
  rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
  stop
  if grep -q 'Non-2xx\|Socket errors' <<<"$log"; then
    echo "$engine: errors during the run:" >&2
    echo "$log" >&2
    exit 1
  fi
  rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$log")
  p50=$(ms "$(awk '$1 == "50%" { print $2 }' <<<"$log")")
  p99=$(ms "$(awk '$1 == "99%" { print $2 }' <<<"$log")")
}

echo "| round | body | connections (wrk threads) | Nn req/s | ORT req/s | Nn/ORT req/s | Nn p50 ms | ORT p50 ms | Nn p99 ms | ORT p99 ms | Nn peak RSS MB | ORT peak RSS MB |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for round in $(seq "${ROUNDS:-1}"); do
  for body in png json; do
    if [ "$body" = png ]; then file="$out/bodies/image.png" type=image/png; else file="$out/bodies/vector.json" type=application/json; fi
    for cell in "1 1" "16 2" "64 2"; do
      set -- $cell
      run nn 5101 "$file" "$type" "$1" "$2"
      n_rps=$rps n_p50=$p50 n_p99=$p99 n_rss=$rss
      run onnx 5102 "$file" "$type" "$1" "$2"
      o_rps=$rps o_p50=$p50 o_p99=$p99 o_rss=$rss
      ratio=$(awk -v a="$n_rps" -v b="$o_rps" 'BEGIN { printf "%.2f", a / b }')
      echo "| $round | $body | $1 ($2) | $n_rps | $o_rps | $ratio | $n_p50 | $o_p50 | $n_p99 | $o_p99 | $n_rss | $o_rss |"
    done
  done
done

#!/usr/bin/env bash
# Wall time of one queued 6-point refinement sweep with N workers on this machine (README "Sweeps on several
# machines"). Starts its own redis-server on a loopback port without persistence, trains a 1-epoch quick baseline
# once, and prints one line per run. Interleave to compare: for r in 1 2 3; do bench/queue-speedup.sh 1; bench/queue-speedup.sh 2; done
#
#   bench/queue-speedup.sh <workers> [work folder, default /tmp/delta-queue-speedup]
# Needs: redis-server, a built dist/ (npm run build).
set -euo pipefail
workers="${1:?usage: queue-speedup.sh <workers> [work folder]}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$root/dist/cli/main.js"
work="${2:-/tmp/delta-queue-speedup}"
run="$work/run-$workers-$$"
mkdir -p "$run"
port=$((17000 + RANDOM % 1000))
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir "$run" --logfile "$run/redis.log"
queue="redis://127.0.0.1:$port/0"
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
}
trap cleanup EXIT
[ -f "$work/baseline/config.json" ] || node "$cli" train --preset quick --epochs 1 --run "$work/baseline" >/dev/null 2>&1
for i in $(seq 1 "$workers"); do
  DELTA_THREADS=1 node "$cli" worker --queue "$queue" --work-dir "$run/worker-$i" >"$run/worker-$i.log" 2>&1 &
  pids+=($!)
done
start=$(date +%s.%N)
node "$cli" ablate --baseline "$work/baseline" --thresholds 0.05,0.1,0.2 --lambdas 0.01,0.1 --set epochs=8 \
  --set data.syntheticTrainPerClass=32 --queue "$queue" --runs-root "$run/runs" --store "$run/store.jsonl" >"$run/coordinator.log" 2>&1
end=$(date +%s.%N)
echo "workers=$workers wall_s=$(awk "BEGIN { printf \"%.1f\", $end - $start }") load=$(cut -d' ' -f1 /proc/loadavg)"

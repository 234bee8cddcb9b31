#!/usr/bin/env bash
# The benchmarks, in one command (docs/performance.md). Not tests: nothing here fails on a number.
#   bench/run.sh           the full run (a few minutes)
#   bench/run.sh --smoke   tiny sizes, a few seconds: proves the benchmarks still work (CI runs it)
# Results: one JSON object per line in build/bench/results.jsonl, and a summary on stdout.
set -euo pipefail
# The mock server's control endpoint and ws_load, which triggers its rounds, share this secret.
export MOCK_SERVER_CONTROL_SECRET="bench-$$"
cd "$(dirname "$0")/.."
smoke=false
[ "${1:-}" = "--smoke" ] && smoke=true

./scripts/build.sh >/dev/null
bin=build/default/bench
out=build/bench
mkdir -p "$out"
results="$out/results.jsonl"
: >"$results"
record() { tee -a "$results"; }

# Open files: two per in-process client (both ends). Raise the soft limit as far as this machine allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
max_clients=$(( ($(ulimit -n) - 256) / 2 ))

if $smoke; then
  repeat=2 meetings=("50 10") stress=200 fan_clients=50 fan_rounds=5 rt_rounds=200 runs=1 explore_runs=50
else
  repeat=20 meetings=("300 50" "1000 200") stress=10000 fan_clients=1000 fan_rounds=200 rt_rounds=5000 runs=3 explore_runs=4000
fi
[ "$stress" -gt "$max_clients" ] && stress=$max_clients

echo "== 1. the suite"
$bin/breakout_bench suite scenarios --repeat "$repeat" | record
for jobs in 1 2; do
  best=""
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    build/default/harness/harness run scenarios -j "$jobs" --no-traces >/dev/null
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "{\"bench\":\"suite-command\",\"jobs\":$jobs,\"best_of\":$runs,\"wall_ms\":$best}" | record
done

echo "== 2. large meetings (assign all, open all with auto-move, close all, everyone back)"
for m in "${meetings[@]}"; do $bin/breakout_bench meeting $m | record; done

echo "== 2b. a thousand in 200 rooms as a user runs it, and the 10,000 variant (set-up included)"
$bin/breakout_bench file scenarios/scale/thousand-in-200-rooms.yaml | record
best=""
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  build/default/harness/harness run scenarios/scale/thousand-in-200-rooms.yaml >/dev/null
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "{\"bench\":\"scale-command\",\"file\":\"thousand-in-200-rooms.yaml\",\"best_of\":$runs,\"wall_ms\":$best}" | record
# 9,850 clients: the variant fits this machine's descriptors only when the limit allows (two a client).
if ! $smoke && [ "$max_clients" -ge 9850 ]; then
  $bin/breakout_bench file bench/scale/ten-thousand-in-200-rooms.yaml | record
else
  echo "{\"bench\":\"file\",\"file\":\"ten-thousand-in-200-rooms.yaml\",\"skipped\":\"$($smoke && echo smoke run || echo "room for $max_clients clients only")\"}" | record
fi

echo "== 3. many clients, one update fanned out to all"
$bin/breakout_bench stress "$stress" | record

echo "== 4. harness explore: stories of 4 participants and 40 steps against the model, per second"
for jobs in 1 2; do
  line=$(build/default/harness/harness explore --seed 1 --runs "$explore_runs" --participants 4 --rooms 2 --steps 40 -j "$jobs" --out "$out/explored" | head -1 || true)
  # "explored N stories (S steps) in T s: R stories/s; ..."
  echo "$line" | sed -E "s/^explored ([0-9]+) stories \(([0-9]+) steps\) in ([0-9.]+) s: ([0-9]+) stories\/s.*/{\"bench\":\"explore\",\"jobs\":$jobs,\"stories\":\1,\"steps\":\2,\"seconds\":\3,\"stories_per_s\":\4}/" | record
done

echo "== 5. side by side: the mock server, a Node.js ws server, a bare Beast loop"
# Servers on core 0, the load generator on core 1, when the machine has two.
pin_server="" pin_load=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pin_server="taskset -c 0" pin_load="taskset -c 1"; fi
(cd bench/node && npm ci --no-audit --no-fund --silent >/dev/null)
# The mock server's meeting: p1..pN in one meeting, roster updates off (the workload is the fan-out).
scenario="$out/fanout-$fan_clients.yaml"
{
  echo "name: fan-out benchmark"
  echo "meeting: {rosterUpdates: false}"
  echo "participants:"
  for i in $(seq "$fan_clients"); do echo "  - id: p$i"; done
  echo "steps: []"
} >"$scenario"

start_server() {  # starts "$@" (it prints "port N" first); sets port and server_pid
  local fifo="$out/server.out"
  rm -f "$fifo"
  mkfifo "$fifo"
  $pin_server "$@" >"$fifo" 2>/dev/null &
  server_pid=$!
  exec 7<"$fifo"
  local line
  port=""
  while read -r -t 30 line <&7; do
    case "$line" in port\ *) port="${line#port }"; break ;; esac
  done
}
stop_server() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; exec 7<&-; }

# Three servers, in turn, $runs times: loopback numbers here drift from minute to minute, and
# interleaving spreads the drift over all three alike. Each run gets a fresh server.
for run in $(seq "$runs"); do
  for server in mock node beast; do
    case $server in
      mock) start_server build/default/mock_server/mock_server --scenario "$scenario" --no-steps --listen 127.0.0.1:0 --max-connections $((fan_clients + 16)) --max-pending-per-source $((fan_clients + 16)) --max-pending $((fan_clients + 16)); flag=--mock ;;
      node) start_server node bench/node/broadcast.js 0; flag="" ;;
      beast) start_server $bin/beast_broadcast 0; flag="" ;;
    esac
    [ -n "$port" ] || { echo "bench: the $server server did not start" >&2; exit 1; }
    tag="{\"bench\":\"side-by-side\",\"impl\":\"$server\",\"run\":$run,"
    $pin_load $bin/ws_load "$port" "$fan_clients" "$fan_rounds" fanout $flag --server-pid "$server_pid" | sed "s/^{/$tag/" | record
    $pin_load $bin/ws_load "$port" 1 "$rt_rounds" roundtrip $flag --server-pid "$server_pid" | sed "s/^{/$tag/" | record
    stop_server
  done
done
node bench/summary.js "$results" | record

echo "== results: $results"

#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz", clang) and runs each for SECONDS (default 30).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# New inputs go to build/fuzz/work/TARGET (seeded from fuzz/corpus/TARGET); a crash, leak-free OOM
# or timeout is saved under build/fuzz/artifacts/TARGET/ and fails the run. docs/robustness.md says
# what to do with one.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_scenario fuzz_request fuzz_server_message fuzz_trace fuzz_action fuzz_report)

./scripts/setup.sh --fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

status=0
for t in "${targets[@]}"; do
  work="build/fuzz/work/$t"
  artifacts="build/fuzz/artifacts/$t/"
  mkdir -p "$work" "$artifacts"
  seeds=("fuzz/corpus/$t")
  [ "$t" = fuzz_scenario ] && seeds+=(scenarios)
  echo "fuzz: $t for ${seconds}s"
  # -timeout: one input may take 5 s; -rss_limit_mb: memory past 2 GiB is a finding, not a hang.
  if ! ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
      "build/fuzz/fuzz/$t" "$work" "${seeds[@]}" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
      -max_len=65536 -artifact_prefix="$artifacts" -print_final_stats=1 >"build/fuzz/$t.log" 2>&1; then
    echo "fuzz: $t FOUND A PROBLEM; see build/fuzz/$t.log and $artifacts" >&2
    tail -n 40 "build/fuzz/$t.log" >&2
    status=1
  else
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "build/fuzz/$t.log" | tr '\n' ' '
    echo
  fi
done
exit "$status"

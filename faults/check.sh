#!/usr/bin/env bash
# The fault check: builds the SDK with each deliberate fault of faults/*.fault in turn (in a copy
# of the tree, never in the SDK's own code paths) and runs the scenario suite against it. Every
# fault must make at least one scenario fail. Prints the score; exits 1 if any fault is missed.
#
#   faults/check.sh [--explore] [WORK_DIR] [FAULT...]     (default work dir: build/faults)
#
# With --explore, each fault is also hunted by `harness explore` with no scenario at all: five
# seeds of at most $EXPLORE_RUNS stories (20,000), and the median number of stories it took.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
explore=0
if [ "${1:-}" = "--explore" ]; then
  explore=1
  shift
fi
explore_runs="${EXPLORE_RUNS:-20000}"
work="${1:-$root/build/faults}"
shift || true
mkdir -p "$work"
work="$(cd "$work" && pwd)"

# A copy of the tracked sources, at a fixed place so ccache can reuse its objects between runs.
src="$work/src"
rm -rf "$src"
mkdir -p "$src"
(cd "$root" && git ls-files -z 2>/dev/null || find . -type f -not -path './build/*' -not -path './.git/*' -print0) |
  (cd "$root" && xargs -0 cp --parents -t "$src")

# Inside the copy, as deep as build/default is in the tree: ccache then finds the plain build's
# objects (CMakeLists.txt), and only what a fault changes is compiled.
build="$src/build/faults"
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
harness="$build/harness/harness"

# Two at a time, and no traces: only whether something fails matters here.
run_suite() { (cd "$src" && "$harness" run scenarios -j 2 --no-traces --timeout-ms 10000 >"$work/last-run.txt" 2>&1); }

echo "fault check: building the SDK as it is"
cmake --build "$build" --target harness >/dev/null
if ! run_suite; then
  echo "fault check: the suite does not pass without faults; see $work/last-run.txt" >&2
  exit 2
fi

# Applies a .fault file to the copy: its 'find' text must occur exactly once.
apply_fault() {
  local fault="$1" target find replace
  target="$src/$(sed -n 's/^file: //p' "$fault")"
  find="$(awk '/^--- find$/{f=1;next} /^--- replace$/{f=0} f' "$fault")"
  replace="$(awk '/^--- replace$/{f=1;next} f' "$fault")"
  local content
  content="$(cat "$target")"
  local count
  count="$(grep -cF -- "$(head -n1 <<<"$find")" "$target" || true)"
  if [[ "$content" != *"$find"* ]]; then
    echo "  $fault: its 'find' text is not in $(sed -n 's/^file: //p' "$fault") any more" >&2
    return 1
  fi
  if [ "$count" -gt 1 ]; then
    echo "  $fault: the first line of its 'find' text occurs $count times; make it unique" >&2
    return 1
  fi
  printf '%s\n' "${content/"$find"/"$replace"}" >"$target"
}

faults=()
for f in "$@"; do faults+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); done
if [ ${#faults[@]} -eq 0 ]; then
  faults=("$root"/faults/*.fault)
fi

# Stories `harness explore` needed to find the fault, for each of five seeds ("-" when not within
# the budget); prints the median, or "not found".
explore_fault() {
  local name="$1" needed=() found=0 k
  for seed in 1 2 3 4 5; do
    if (cd "$work" && "$harness" explore --seed "$seed" --runs "$explore_runs" -j 2 --participants 3 --rooms 2 \
          --out "$work/explored-$name" >"$work/$name.explore-$seed.txt" 2>&1); then
      needed+=("-")
    else
      k="$(sed -n 's/^DIVERGED in story \([0-9]*\).*/\1/p' "$work/$name.explore-$seed.txt")"
      if [ -z "$k" ]; then needed+=("error"); else needed+=("$((k + 1))"); found=$((found + 1)); fi
    fi
  done
  local median
  median="$(printf '%s\n' "${needed[@]}" | sed 's/^-$/999999999/; s/^error$/999999999/' | sort -n | sed -n 3p)"
  [ "$median" = 999999999 ] && median="not found"
  echo "          explore: median $median stories (seeds 1-5: ${needed[*]})"
  explored+=("$name: $median")
  [ "$found" -gt 0 ]
}

caught=0
missed=()
broken=()
explored=()
explore_missed=()
for fault in "${faults[@]}"; do
  name="$(basename "$fault" .fault)"
  target_rel="$(sed -n 's/^file: //p' "$fault")"
  cp "$root/$target_rel" "$src/$target_rel"
  if ! apply_fault "$fault"; then
    broken+=("$name")
    continue
  fi
  if ! cmake --build "$build" --target harness >"$work/$name.build.txt" 2>&1; then
    echo "  $name: does not build with the fault (see $work/$name.build.txt)" >&2
    broken+=("$name")
  elif run_suite; then
    echo "  MISSED  $name: $(sed -n 's/^description: //p' "$fault")"
    missed+=("$name")
  else
    failed="$(grep -cE '^(FAIL|TIMEOUT|XPASS):' "$work/last-run.txt" || true)"
    echo "  caught  $name: $failed scenario(s) fail — $(sed -n 's/^description: //p' "$fault")"
    caught=$((caught + 1))
  fi
  if [ "$explore" = 1 ] && [ -x "$harness" ] && ! explore_fault "$name"; then explore_missed+=("$name"); fi
  cp "$root/$target_rel" "$src/$target_rel"
done
# Leave the copy as it was, so the next run starts from the SDK without faults.
cmake --build "$build" --target harness >/dev/null

total=${#faults[@]}
echo "fault check: caught $caught of $total faults"
if [ "$explore" = 1 ]; then
  echo "fault check: harness explore found $((total - ${#explore_missed[@]} - ${#broken[@]})) of $total faults without a scenario"
  [ ${#explore_missed[@]} -eq 0 ] || echo "  not found by exploring: ${explore_missed[*]}"
fi
[ ${#missed[@]} -eq 0 ] && [ ${#broken[@]} -eq 0 ]

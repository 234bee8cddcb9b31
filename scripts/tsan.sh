#!/usr/bin/env bash
# The one part of the project that runs on more than one thread is `harness run -j`: it runs the
# whole suite that way under ThreadSanitizer (preset "tsan"), repeated, comparing every repeat.
#   scripts/tsan.sh [REPEAT]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset tsan >/dev/null
cmake --build --preset tsan --target harness
# halt_on_error: the first race fails the run; no suppressions.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  build/tsan/harness/harness run scenarios -j 2 --repeat "${1:-5}" --no-traces

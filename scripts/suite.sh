#!/usr/bin/env bash
# The main job: set up, build, and run the whole scenario suite against the SDK.
# Prints a summary; writes build/reports/junit.xml and build/reports/report.json.
set -euo pipefail
cd "$(dirname "$0")/.."

preset="${PRESET:-default}"
./scripts/setup.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
mkdir -p build/reports
exec "build/$preset/harness/harness" run scenarios \
  --junit build/reports/junit.xml --json build/reports/report.json "$@"

#!/usr/bin/env bash
# The tests: set up, build, and run every test (unit tests and each scenario) with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

preset="${PRESET:-default}"
./scripts/setup.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
exec ctest --preset "$preset" "$@"

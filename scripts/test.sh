#!/usr/bin/env bash
# The tests: set up, build, and run every test (unit tests and each scenario) with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/build.sh
exec ctest --preset "${PRESET:-default}" "$@"

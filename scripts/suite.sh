#!/usr/bin/env bash
# The main job: set up, build, and run the whole scenario suite against the SDK.
# Prints a summary; writes build/reports/junit.xml and build/reports/report.json.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/build.sh
mkdir -p build/reports
exec "build/${PRESET:-default}/harness/harness" run scenarios \
  --junit build/reports/junit.xml --json build/reports/report.json "$@"

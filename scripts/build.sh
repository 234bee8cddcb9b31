#!/usr/bin/env bash
# Installs what is missing, configures and builds one preset (PRESET, default "default").
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --preset "${PRESET:-default}" >/dev/null
cmake --build --preset "${PRESET:-default}"

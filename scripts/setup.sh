#!/usr/bin/env bash
# Installs the Debian packages the project builds with; does nothing when they are all present.
#   scripts/setup.sh          what building and testing need
#   scripts/setup.sh --fuzz   also clang and its libFuzzer runtime, for scripts/fuzz.sh
set -euo pipefail

packages=(
  cmake ninja-build ccache g++
  libboost-dev libboost-system-dev
  nlohmann-json3-dev catch2 libyaml-cpp-dev libcli11-dev
  python3 python3-yaml python3-jsonschema python3-websocket libxml2-utils
  chromium
)
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  echo "setup: run as root, or install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"

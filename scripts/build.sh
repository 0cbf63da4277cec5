#!/usr/bin/env bash
# Configures and builds the gateway, its tests and benchmarks into build/ (Ninja, ccache).
# Usage: scripts/build.sh [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${WORKWELL_JOBS:-$(nproc)}
cmake -S . -B build -G Ninja "$@" >/dev/null
cmake --build build -j "$jobs"

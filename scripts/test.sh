#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the whole suite under ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j "${WORKWELL_TEST_JOBS:-2}" --timeout 600

#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs the whole suite under ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
eval "$(scripts/postgres.sh start || echo false)"; trap 'scripts/postgres.sh stop "$WORKWELL_PG_DIR"' EXIT  # PostgreSQL for the store tests (WORKWELL_PG_DSN)
ctest --test-dir build --output-on-failure -j "${WORKWELL_TEST_JOBS:-2}" --timeout 600

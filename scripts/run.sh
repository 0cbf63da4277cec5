#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the reference WorkWell service and the
# gateway on the embedded SQLite store (data in ./data) and runs the example flow against them.
# Both keep serving until Ctrl-C; with --once they stop after the flow (exit status = the flow's).
set -euo pipefail
cd "$(dirname "$0")/.."
once=0
[ "${1:-}" = "--once" ] && once=1
scripts/setup.sh
scripts/build.sh
# The reference WorkWell service stands in for the ICBs' services; routing points at it.
if [ "$once" = 1 ]; then
  exec examples/flow.sh build/adapter/app/workwell-gateway build/examples/workwell-service/workwell-service \
    "$PWD/data" "${WORKWELL_PORT:-8080}"
fi
exec examples/flow.sh build/adapter/app/workwell-gateway build/examples/workwell-service/workwell-service \
  "$PWD/data" "${WORKWELL_PORT:-8080}" --serve

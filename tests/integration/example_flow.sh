#!/usr/bin/env bash
# Runs the README's main job (examples/flow.sh: the reference WorkWell service, the gateway and
# examples/flow.py) against the real binaries with a throwaway data directory, so the main-job
# command stays true.
# Usage: example_flow.sh GATEWAY_BINARY SERVICE_BINARY SOURCE_DIR
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$3/examples/flow.sh" "$1" "$2" "$work" 0 || { tail -20 "$work/gateway.log"; exit 1; }

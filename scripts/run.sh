#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the gateway on the embedded SQLite store
# (data in ./data) and runs the example flow against it. The gateway keeps serving until Ctrl-C;
# with --once it stops after the flow (exit status = the flow's).
set -euo pipefail
cd "$(dirname "$0")/.."
once=0
[ "${1:-}" = "--once" ] && once=1
scripts/setup.sh
scripts/build.sh
mkdir -p data
port_file=$(mktemp)
rm -f "$port_file"
echo "gateway log: data/gateway.log"
build/adapter/app/workwell-gateway serve --config config/gateway.json --port "${WORKWELL_PORT:-8080}" \
  --port-file "$port_file" 2>>data/gateway.log &
gateway=$!
trap 'kill "$gateway" 2>/dev/null || true; wait "$gateway" 2>/dev/null || true; rm -f "$port_file"' EXIT
for _ in $(seq 1 300); do
  [ -s "$port_file" ] && break
  kill -0 "$gateway" 2>/dev/null || { echo "the gateway did not start" >&2; exit 1; }
  sleep 0.1
done
[ -s "$port_file" ] || { echo "the gateway did not report its port" >&2; exit 1; }
port=$(cat "$port_file")
status=0
python3 examples/flow.py "http://127.0.0.1:$port" examples || status=$?
if [ "$once" = 1 ]; then exit "$status"; fi
echo
echo "The gateway is serving on http://127.0.0.1:$port (SQLite data in ./data). Ctrl-C stops it."
wait "$gateway"

#!/usr/bin/env bash
# Runs examples/flow.py (the README's main job) against the real binary on port 0 with a
# throwaway SQLite data directory, so the main-job command stays true.
# Usage: example_flow.sh GATEWAY_BINARY SOURCE_DIR
set -euo pipefail
gateway=$1 src=$2
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
python3 - "$src/config/gateway.json" "$work" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config.setdefault("store", {})["dataDir"] = sys.argv[2] + "/data"
json.dump(config, open(sys.argv[2] + "/gateway.json", "w"))
PY
cd "$src"
"$gateway" serve --config "$work/gateway.json" --port 0 --port-file "$work/port" 2>"$work/gateway.log" &
pid=$!
for _ in $(seq 1 600); do
  [ -s "$work/port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/gateway.log"; exit 1; }
  sleep 0.05
done
[ -s "$work/port" ] || { echo "no port file"; cat "$work/gateway.log"; exit 1; }
python3 examples/flow.py "http://127.0.0.1:$(cat "$work/port")" examples

#!/usr/bin/env bash
# Starts the reference WorkWell service, the reference GP endpoint and the gateway (SQLite data in WORK_DIR/data, routing
# pointed at the service), then runs examples/flow.py against them.
# Usage: examples/flow.sh GATEWAY_BINARY SERVICE_BINARY WORK_DIR PORT [--serve]
#   PORT 0 picks a free one. With --serve both keep running after the flow until Ctrl-C;
#   otherwise they stop and the exit status is the flow's. Gateway log: WORK_DIR/gateway.log.
set -euo pipefail
gateway=$1 service=$2 work=$3 port=$4 serve=${5:-}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
if [ "$port" = 0 ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
"$service" --port 0 > "$work/service.out" 2>"$work/service.log" &
pids+=($!)
for _ in $(seq 1 200); do grep -q listening "$work/service.out" 2>/dev/null && break; sleep 0.05; done
service_port=$(grep -o '[0-9]*' "$work/service.out" | head -1)
[ -n "$service_port" ] || { echo "the reference WorkWell service did not start" >&2; exit 1; }
# The reference GP system endpoint, where the gateway pushes the Stay in Work plan.
python3 "$src/examples/gp-system/gp_endpoint.py" --port 0 > "$work/gp.out" 2>"$work/gp.log" &
pids+=($!)
for _ in $(seq 1 200); do grep -q listening "$work/gp.out" 2>/dev/null && break; sleep 0.05; done
gp_port=$(grep -o '[0-9]*' "$work/gp.out" | head -1)
[ -n "$gp_port" ] || { echo "the reference GP endpoint did not start" >&2; exit 1; }
python3 "$src/scripts/local-routing.py" "$src/config/routing" "$work/routing" "http://127.0.0.1:$service_port/fhir"
python3 - "$src/config/gateway.json" "$work" "$port" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config.setdefault("store", {})["dataDir"] = sys.argv[2] + "/data"
config["routing"] = {"dir": sys.argv[2] + "/routing"}
config.setdefault("delivery", {})["publicBaseUrl"] = "http://127.0.0.1:" + sys.argv[3]
json.dump(config, open(sys.argv[2] + "/gateway.json", "w"), indent=2)
PY
rm -f "$work/port"
(cd "$src" && exec "$gateway" serve --config "$work/gateway.json" --port "$port" --port-file "$work/port" 2>>"$work/gateway.log") &
pids+=($!)
for _ in $(seq 1 600); do
  [ -s "$work/port" ] && break
  kill -0 "${pids[1]}" 2>/dev/null || { echo "the gateway did not start:" >&2; tail -5 "$work/gateway.log" >&2; exit 1; }
  sleep 0.05
done
[ -s "$work/port" ] || { echo "the gateway did not report its port" >&2; exit 1; }
status=0
python3 "$src/examples/flow.py" "http://127.0.0.1:$(cat "$work/port")" "$src/examples" "http://127.0.0.1:$service_port" \
  "http://127.0.0.1:$gp_port" || status=$?
if [ "$serve" = --serve ]; then
  echo
  echo "The gateway is serving on http://127.0.0.1:$(cat "$work/port") (SQLite data in $work/data), the"
  echo "reference WorkWell service on http://127.0.0.1:$service_port and the GP endpoint on"
  echo "http://127.0.0.1:$gp_port/received. Ctrl-C stops them."
  wait "${pids[1]}"
fi
exit "$status"

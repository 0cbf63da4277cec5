#!/usr/bin/env bash
# Scores `workwell-gateway validate` against the shared sample of the reference validator's
# test suite and fails below the agreement bar. Skips (exit 77) when ../shared is absent.
# Usage: run_conformance.sh GATEWAY_BINARY SHARED_DIR MIN_PERCENT
set -euo pipefail
gateway=$1 shared=$2 bar=$3
cases="$shared/conformance/fhir-test-cases-r4/cases.json"
if [ ! -f "$cases" ] || [ ! -f "$shared/conformance/score.py" ]; then
  echo "SKIPPED: no conformance sample at $shared/conformance (the shared material is not present)"
  exit 77
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
python3 "$shared/conformance/score.py" --cases "$cases" \
  --cmd "$gateway validate {profile_args} {supporting_args} {file}" \
  --profile-arg '--profile {}' --supporting-arg '--load {}' -j "${WORKWELL_CONFORMANCE_JOBS:-2}" >"$out" 2>&1 || true
grep -E '^(FAIL|[0-9]+ cases|excluding|by module|timing)' "$out" || true
line=$(grep -E '^[0-9]+ cases: agreement' "$out" || true)
if [ -z "$line" ]; then
  echo "the scorer produced no summary:"; tail -20 "$out"; exit 1
fi
pct=$(echo "$line" | sed -E 's/.*agreement ([0-9.]+)%.*/\1/')
errs=$(echo "$line" | sed -E 's/.*ERR ([0-9]+).*/\1/')
if [ "$errs" != "0" ]; then echo "harness errors: $errs"; exit 1; fi
if awk -v p="$pct" -v b="$bar" 'BEGIN{exit !(p+0 < b+0)}'; then
  echo "agreement $pct% is below the bar of $bar%"; exit 1
fi
echo "agreement $pct% (bar $bar%)"

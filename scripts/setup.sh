#!/usr/bin/env bash
# Installs everything the gateway needs to build, test and run on Debian 12, then fetches the
# pinned FHIR R4 packages. Idempotent: a second run installs and downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config git python3 ca-certificates
  libboost-dev libboost-system-dev libcpprest-dev rapidjson-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev sqlite3 libpq-dev postgresql libre2-dev
  openssl stunnel4 npm
)

missing=()
for p in "${packages[@]}"; do
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages present"
fi

scripts/fetch-fhir-packages.sh

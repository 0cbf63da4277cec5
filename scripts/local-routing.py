#!/usr/bin/env python3
"""Writes a copy of a routing config directory whose WorkWell services all live at one local
endpoint (a reference workwell-service) and need no credentials: for the example flow and the
integration tests. The shipped config/routing is never changed.

Usage: local-routing.py SOURCE_DIR DEST_DIR ENDPOINT
"""
import json
import os
import shutil
import sys


def write_local_routing(source, dest, endpoint):
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(source, dest)
    path = os.path.join(dest, "icbs.json")
    with open(path) as f:
        icbs = json.load(f)
    for icb in icbs["icbs"]:
        for service in icb.get("services", []):
            service["endpoint"] = endpoint
            service.pop("credentialEnv", None)
    with open(path, "w") as f:
        json.dump(icbs, f, indent=2)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    write_local_routing(*sys.argv[1:])

#!/usr/bin/env python3
"""The employer's part of a Stay in Work plan, played by a script: the HR or occupational health
contact reads the proposed plan and either agrees to it or records that the adjustments cannot be
made (which triggers the Statutory Sick Pay fallback at the gateway).

  employer.py GATEWAY_BASE CarePlan/<id> agree
  employer.py GATEWAY_BASE CarePlan/<id> cannot-adjust "why"
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "workwell-service"))
import plan_client  # noqa: E402


def employer_of(base, plan_ref):
    """The employer Organization of the plan's care team."""
    plan = plan_client.read(base, plan_ref)
    team = plan_client.read(base, plan["careTeam"][0]["reference"])
    for p in team.get("participant", []):
        if any(c.get("code") == "employer" for r in p.get("role", []) for c in r.get("coding", [])):
            return p["member"]["reference"]
    return None


def agree(base, plan_ref):
    return plan_client.agree(base, plan_ref, "employer", employer_of(base, plan_ref), "written")


def cannot_adjust(base, plan_ref, reason):
    params = {"resourceType": "Parameters", "parameter": [{"name": "reason", "valueString": reason}]}
    return plan_client.call(base, "POST", f"/{plan_ref}/$employer-cannot-adjust", params)


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[3] not in ("agree", "cannot-adjust"):
        sys.exit(__doc__)
    if sys.argv[3] == "agree":
        status, _, body = agree(sys.argv[1], sys.argv[2])
    else:
        status, _, body = cannot_adjust(sys.argv[1], sys.argv[2], sys.argv[4] if len(sys.argv) > 4 else "no reason given")
    print(status, body.get("status") if status == 200 else json.dumps(body))
    sys.exit(0 if status == 200 else 1)

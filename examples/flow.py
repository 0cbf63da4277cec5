#!/usr/bin/env python3
"""The example flow against a running gateway: what a GP system vendor does first.

Each step prints one readable line (and the detail that matters); any unexpected answer stops
the flow with exit status 1. Usage: flow.py BASE_URL [EXAMPLES_DIR [SERVICE_URL [GP_URL]]]
SERVICE_URL is the reference WorkWell service the gateway's routing points at, GP_URL the reference
GP endpoint (examples/flow.sh starts both). With GP_URL the flow goes on to the Stay in Work plan:
the GP system subscribes, the service proposes a plan, patient, service and employer (a script)
agree, and the active plan arrives at the GP endpoint.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
HERE = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
SERVICE = sys.argv[3].rstrip("/") if len(sys.argv) > 3 else None
GP = sys.argv[4].rstrip("/") if len(sys.argv) > 4 else None
sys.path.insert(0, os.path.join(HERE, "workwell-service"))
sys.path.insert(0, HERE)
FHIR = "application/fhir+json"


def call(method, path, body=None, content_type=FHIR):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Accept", FHIR)
    if data is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def step(n, title):
    print(f"\n[{n}] {title}")


def fail(msg):
    print(f"    FAILED: {msg}")
    sys.exit(1)


def issues(outcome):
    counts = {}
    for i in outcome.get("issue", []):
        counts[i["severity"]] = counts.get(i["severity"], 0) + 1
    return counts


def stay_in_work_plan(task_location, task):
    import employer
    import plan_client

    patient = task["for"]["reference"]
    step(8, f"POST /Subscription - the GP system asks for the plans of {patient} (rest-hook)")
    subscription = {"resourceType": "Subscription", "status": "active", "reason": "GP record copy of the plan",
                    "criteria": f"CarePlan?patient={patient}",
                    "channel": {"type": "rest-hook", "endpoint": GP + "/careplans", "payload": FHIR}}
    status, headers, body = call("POST", "/Subscription", json.dumps(subscription))
    if status != 201:
        fail(f"status {status}: {body[:300]}")
    print(f"    {headers.get('Location', '')}")

    step(9, "POST /$process-message - the WorkWell service proposes a Stay in Work plan")
    status, plan, facts = plan_client.propose(BASE, task_location)
    if status != 200:
        fail(f"status {status}: {json.dumps(plan)[:400]}")
    current = plan_client.read(BASE, plan)
    kinds = [a["detail"]["code"]["coding"][0]["code"] for a in current["activity"]]
    print(f"    {plan} ({current['status']}), {current['period']['start']} to {current['period']['end']}: {', '.join(kinds)}")
    _, _, task_now = call("GET", "/" + task_location)
    print(f"    the referral's Task is now {json.loads(task_now)['status']}")

    step(10, "POST /CarePlan/[id]/$agree - the patient and the WorkWell service agree")
    for party, who in (("patient", facts["patient"]), ("workwell-service", facts["service_org"])):
        status, _, body = plan_client.agree(BASE, plan, party, who)
        if status != 200:
            fail(f"{party}: status {status}: {json.dumps(body)[:400]}")
        print(f"    {party} agreed; the plan is {body['status']}")

    step(11, "examples/employer.py - the employer's HR contact agrees: the plan is active")
    status, _, body = employer.agree(BASE, plan)
    if status != 200 or body["status"] != "active":
        fail(f"status {status}: {json.dumps(body)[:400]}")
    notes = [i["reference"] for i in body["supportingInfo"] if i["reference"].startswith("Observation/")]
    note = plan_client.read(BASE, notes[-1])
    options = [c["valueCodeableConcept"]["coding"][0]["code"] for c in note.get("component", [])
               if "valueCodeableConcept" in c]
    print(f"    plan {body['status']}; fit note {notes[-1]}: {note['valueCodeableConcept']['coding'][0]['code']} "
          f"({', '.join(options)})")

    step(12, "the GP system receives the active plan at its endpoint")
    deadline = time.monotonic() + 30
    pushed = []
    while time.monotonic() < deadline:
        with urllib.request.urlopen(GP + "/received", timeout=10) as r:
            pushed = [x["resource"] for x in json.loads(r.read().decode())["received"]
                      if x["resource"].get("id") == plan.split("/")[1] and x["resource"].get("status") == "active"]
        if pushed:
            break
        time.sleep(0.2)
    if not pushed:
        fail("the active plan did not reach the GP endpoint")
    print(f"    received CarePlan/{pushed[0]['id']} version {pushed[0]['meta']['versionId']}, status {pushed[0]['status']}")


def main():
    print(f"WorkWell gateway example flow against {BASE}")

    step(1, "GET /metadata - what the gateway implements")
    status, _, body = call("GET", "/metadata")
    if status != 200:
        fail(f"status {status}")
    cs = json.loads(body)
    rest = cs["rest"][0]
    ops = [o["name"] for o in rest.get("operation", [])]
    types = [r["type"] for r in rest.get("resource", [])]
    print(f"    {cs['software']['name']} {cs['software']['version']}, FHIR {cs['fhirVersion']}")
    print(f"    system operations: {', '.join('$' + o for o in ops)}; {len(types)} resource types")

    record_path = os.path.join(HERE, "records", "fit-note-may-be-fit-physio.json")
    with open(record_path) as f:
        record = f.read()
    step(2, "POST /$translate - a GP fit note record (vendor JSON) becomes FHIR")
    status, _, body = call("POST", "/$translate?format=fitnote-json", record, "application/json")
    if status != 200:
        fail(f"status {status}: {body[:300]}")
    bundle = json.loads(body)
    kinds = [e["resource"]["resourceType"] for e in bundle.get("entry", [])]
    print(f"    Bundle of {len(kinds)}: {', '.join(kinds)}")

    step(3, "POST /$validate - the translated Bundle against R4, UK Core and WorkWell profiles")
    status, _, body = call("POST", "/$validate", json.dumps(bundle))
    if status != 200:
        fail(f"status {status}")
    counts = issues(json.loads(body))
    if counts.get("error", 0) or counts.get("fatal", 0):
        fail(f"validation errors: {body[:400]}")
    print(f"    no errors ({counts.get('warning', 0)} warnings, {counts.get('information', 0)} information)")

    step(4, "POST / - store it as a transaction on the embedded SQLite store")
    tx = {"resourceType": "Bundle", "type": "transaction", "entry": []}
    for e in bundle["entry"]:
        r = e["resource"]
        tx["entry"].append({"fullUrl": e["fullUrl"], "resource": r,
                            "request": {"method": "POST", "url": r["resourceType"]}})
    status, _, body = call("POST", "/", json.dumps(tx))
    if status != 200:
        fail(f"status {status}: {body[:400]}")
    response = json.loads(body)
    locations = [e["response"]["location"] for e in response.get("entry", [])]
    print(f"    stored {len(locations)} resources, e.g. {locations[0] if locations else '-'}")

    nhs = json.loads(record)["patient"]["nhsNumber"]
    step(5, f"GET /Patient?identifier=...|{nhs} - find the patient by NHS number")
    query = urllib.parse.urlencode({"identifier": f"https://fhir.nhs.uk/Id/nhs-number|{nhs}"})
    status, _, body = call("GET", f"/Patient?{query}")
    if status != 200:
        fail(f"status {status}")
    found = json.loads(body)
    total = len(found.get("entry", []))
    if total < 1:
        fail("the stored patient was not found")
    print(f"    found {total} patient(s)")

    step(6, "POST /$submit - the GP system sends the fit note for real: routed, stored, queued")
    # A new record id per run, so a second run against the same data directory is a new case
    # (the same id again would be answered as already received).
    submitted = json.loads(record)
    submitted["sourceRecordId"] += time.strftime("-%Y%m%d%H%M%S")
    status, headers, body = call("POST", "/$submit?format=fitnote-json", json.dumps(submitted), "application/json")
    if status not in (200, 201):
        fail(f"status {status}: {body[:400]}")
    location = headers.get("Location", "")
    summary = [i["details"]["text"] for i in json.loads(body)["issue"] if i["severity"] == "information"]
    print(f"    {status}: {summary[-1] if summary else ''}")

    step(7, f"GET /{location} - the referral's Task, once the WorkWell service has it")
    deadline = time.monotonic() + 30
    while True:
        status, _, body = call("GET", "/" + location)
        task = json.loads(body) if status == 200 else {}
        if task.get("status") in ("accepted", "rejected", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if task.get("status") != "accepted":
        fail(f"the Task did not reach accepted: {body[:400]}")
    inputs = {i["type"]["text"]: i["valueString"] for i in task.get("input", [])}
    print(f"    Task {task['status']}: {task.get('statusReason', {}).get('text', '')}")
    print(f"    rule {inputs.get('routing-rule')}, ICB {inputs.get('icb')}, tier {inputs.get('tier')}, "
          f"{inputs.get('support-weeks')} weeks of support")
    if SERVICE:
        with urllib.request.urlopen(SERVICE + "/_stats", timeout=10) as r:
            stats = json.loads(r.read().decode())
        print(f"    the WorkWell service has processed {stats['processed']} message(s), {stats['duplicates']} duplicate(s)")

    if GP:
        stay_in_work_plan(location, task)

    step(13, "POST /$translate - a malformed record is refused with its location")
    status, _, body = call("POST", "/$translate?format=fitnote-json",
                           json.dumps({"sourceSystem": "acme-gp-clinical", "sourceRecordId": "X1",
                                       "patient": {"nhsNumber": "9434765918"}}), "application/json")
    if status < 400:
        fail(f"expected a 4xx, got {status}")
    outcome = json.loads(body)
    first = outcome["issue"][0]
    where = ", ".join(first.get("location", []) + first.get("expression", []))
    print(f"    {status}: {first.get('details', {}).get('text', '')[:100]} (at {where})")

    print("\nexample flow: all steps passed")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Stay in Work plans end to end over HTTP: the real gateway (SQLite), the reference WorkWell
service (BaRS receiver) and its plan client, the employer script, and the reference GP endpoint
receiving rest-hook pushes of the plan.

Covers: a proposed plan via $process-message (Task in-progress); agreement by each party and
activation only when all three have agreed, with the "may be fit" replacement fit note; a stale
If-Match answered 412; withdrawal (active -> on-hold) and renewed agreement; the SSP fallback when
the employer cannot adjust (a new "not fit" note, the plan revoked, and a Communication for the
GP system, the WorkWell service and the patient, plus the push to the GP); the plan sweeper: the
employer deadline passing (SSP fallback) and the period ending (completed); and the GP system's
reads of CarePlan by NHS number, status, vread and _history.

Usage: plan_lifecycle_test.py GATEWAY_BINARY SERVICE_BINARY SOURCE_DIR
"""
import datetime
import json
import os
import shutil
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Suite, SOURCE, Gateway, GpEndpoint, Service, fit_note, http, wait_for,  # noqa: E402
                     write_routing)

import plan_client  # noqa: E402  (examples/workwell-service, put on the path by harness)

sys.path.insert(0, os.path.join(SOURCE, "examples"))
import employer  # noqa: E402

suite = Suite()



def main():
    work = tempfile.mkdtemp(prefix="ww-plans-")
    service = Service()
    gp = GpEndpoint()
    routing_dir = os.path.join(work, "routing")
    write_routing(routing_dir, service.base + "/fhir")
    gw = Gateway(work, routing_dir, "sqlite", plans={"sweepIntervalMs": 200, "employerDeadlineDays": 14})
    base = gw.base

    def routed_case(**changes):
        status, location, outcome = gw.submit(fit_note(**changes))
        assert status == 201, outcome
        wait_for("Task accepted", lambda: gw.task_status(location) == "accepted")
        return location

    def plan_status(plan_ref):
        return plan_client.read(base, plan_ref)["status"]

    def pushes_of(plan_ref):
        return [r["resource"] for r in gp.received() if r["resource"].get("id") == plan_ref.split("/")[1]]

    state = {}

    def subscribe_and_propose():
        task_ref = routed_case()
        task = gw.task(task_ref)
        patient = task["for"]["reference"]
        subscription = {"resourceType": "Subscription", "status": "active", "reason": "GP system copy of the plan",
                        "criteria": f"CarePlan?patient={patient}",
                        "channel": {"type": "rest-hook", "endpoint": gp.base + "/careplans",
                                    "payload": "application/fhir+json", "header": ["X-GP-System: acme-gp"]}}
        status, _, body = http("POST", base + "/Subscription", json.dumps(subscription), "application/fhir+json")
        assert status == 201, body
        status, plan_ref, facts = plan_client.propose(base, task_ref)
        assert status == 200, plan_ref
        assert plan_status(plan_ref) == "draft"
        assert gw.task_status(task_ref) == "in-progress"
        state.update(task=task_ref, plan=plan_ref, facts=facts, patient=patient)

    def proposal_again_replaces_the_draft():
        status, plan_ref, _ = plan_client.propose(base, state["task"])
        assert status == 200 and plan_ref == state["plan"], (status, plan_ref)
        history = json.loads(http("GET", f"{base}/{plan_ref}/_history")[2])
        assert history["total"] == 2, history["total"]

    def active_only_when_all_three_agree():
        f, plan = state["facts"], state["plan"]
        status, _, body = plan_client.agree(base, plan, "patient", f["patient"])
        assert status == 200 and body["status"] == "draft", body
        status, _, body = plan_client.agree(base, plan, "workwell-service", f["service_org"])
        assert status == 200 and body["status"] == "draft", body
        assert pushes_of(plan) == [], "a draft is not pushed"
        status, _, body = plan_client.agree(base, plan, "patient", f["patient"])
        assert status == 409, (status, body)
        status, _, body = employer.agree(base, plan)
        assert status == 200 and body["status"] == "active", body
        notes = [i["reference"] for i in body["supportingInfo"] if i["reference"].startswith("Observation/")]
        newest = plan_client.read(base, notes[-1])
        assert newest["valueCodeableConcept"]["coding"][0]["code"] == "may-be-fit", newest
        assert any(c["valueCodeableConcept"]["coding"][0]["code"] == "amended-duties"
                   for c in newest.get("component", []) if "valueCodeableConcept" in c), newest
        wait_for("the active plan at the GP endpoint", lambda: any(p["status"] == "active" for p in pushes_of(plan)))
        pushed = [r for r in gp.received() if r["resource"].get("id") == plan.split("/")[1]]
        assert pushed[0]["headers"].get("x-gp-system") == "acme-gp", pushed[0]["headers"]

    def stale_if_match_is_412():
        plan = state["plan"]
        status, headers, _ = http("GET", f"{base}/{plan}")
        current = int(json.loads(http("GET", f"{base}/{plan}")[2])["meta"]["versionId"])
        params = {"resourceType": "Parameters", "parameter": [{"name": "party", "valueCode": "employer"}]}
        status, _, body = plan_client.call(base, "POST", f"/{plan}/$withdraw-agreement", params,
                                           {"If-Match": f'W/"{current - 1}"'})
        assert status == 412, (status, body)
        assert plan_status(plan) == "active"

    def withdrawal_and_renewed_agreement():
        plan = state["plan"]
        current = json.loads(http("GET", f"{base}/{plan}")[2])["meta"]["versionId"]
        params = {"resourceType": "Parameters", "parameter": [{"name": "party", "valueCode": "employer"}]}
        status, _, body = plan_client.call(base, "POST", f"/{plan}/$withdraw-agreement", params,
                                           {"If-Match": f'W/"{current}"'})
        assert status == 200 and body["status"] == "on-hold", body
        wait_for("the on-hold plan at the GP endpoint", lambda: any(p["status"] == "on-hold" for p in pushes_of(plan)))
        status, _, body = employer.agree(base, plan)
        assert status == 200 and body["status"] == "active", body

    def ssp_fallback_reaches_every_party():
        plan = state["plan"]
        status, _, body = employer.cannot_adjust(base, plan, "No lighter duties exist in a cold store")
        assert status == 200 and body["status"] == "revoked", body
        fallback = [e for e in body["extension"] if e["url"].endswith("Extension-WorkWell-SSPFallback")]
        assert fallback, body
        parts = {x["url"]: x for x in fallback[0]["extension"]}
        note = plan_client.read(base, parts["fitNote"]["valueReference"]["reference"])
        assert note["valueCodeableConcept"]["coding"][0]["code"] == "not-fit", note
        query = urllib.parse.urlencode({"patient": state["patient"]})
        comms = json.loads(http("GET", f"{base}/Communication?{query}&_count=100")[2])
        fallback_comms = [e["resource"] for e in comms.get("entry", [])
                          if "ssp-fallback" in e["resource"]["identifier"][0]["value"]]
        recipients = {c["recipient"][0]["reference"].split("/")[0] + ":" + c["identifier"][0]["value"].split("/")[-1]
                      for c in fallback_comms}
        assert {r.split(":")[1] for r in recipients} == {"gp", "workwell-service", "patient"}, recipients
        wait_for("the revoked plan at the GP endpoint", lambda: any(p["status"] == "revoked" for p in pushes_of(plan)))
        assert gw.task_status(state["task"]) == "completed"

    def gp_reads_plans():
        nhs = fit_note()["patient"]["nhsNumber"]
        query = urllib.parse.urlencode({"patient.identifier": f"https://fhir.nhs.uk/Id/nhs-number|{nhs}",
                                        "status": "revoked"})
        status, _, body = http("GET", f"{base}/CarePlan?{query}")
        found = json.loads(body)
        assert status == 200 and any(e["resource"]["id"] == state["plan"].split("/")[1] for e in found.get("entry", [])), body[:400]
        status, _, body = http("GET", f"{base}/{state['plan']}/_history/1")
        assert status == 200 and json.loads(body)["status"] == "draft"

    def employer_deadline_triggers_the_fallback():
        task_ref = routed_case()
        status, plan, facts = plan_client.propose(base, task_ref, today=datetime.date.today() - datetime.timedelta(days=20),
                                                  plan_key="SIW-DEADLINE-" + str(os.getpid()))
        assert status == 200, plan
        # Nobody agrees; the sweeper finds the deadline (proposal + 14 days) passed.
        wait_for("the sweeper's SSP fallback", lambda: plan_status(plan) == "revoked", 30)
        body = plan_client.read(base, plan)
        assert any(e["url"].endswith("Extension-WorkWell-SSPFallback") for e in body["extension"]), body

    def period_end_completes_the_plan():
        task_ref = routed_case()
        start = datetime.date.today() - datetime.timedelta(weeks=8) - datetime.timedelta(days=2)
        # An unemployed person's plan (no employer party, so no employer deadline) proposed eight
        # weeks ago: agreed by the patient and the service, then its period has ended.
        status, plan, facts = plan_client.propose(base, task_ref, today=start, plan_key="SIW-ENDED-" + str(os.getpid()),
                                                  employment="unemployed")
        assert status == 200, plan
        for party, who in (("patient", facts["patient"]), ("workwell-service", facts["service_org"])):
            status, _, body = plan_client.agree(base, plan, party, who, "written")
            assert status == 200, body
        assert body["status"] in ("active", "completed"), body["status"]
        status, _, body = employer.agree(base, plan)
        assert status in (409, 422), (status, body)
        wait_for("the sweeper's completion", lambda: plan_status(plan) == "completed", 30)
        assert gw.task_status(task_ref) == "completed"

    try:
        for name, fn in [("a WorkWell service proposes a plan; the Task is in progress", subscribe_and_propose),
                         ("a new proposal replaces the draft", proposal_again_replaces_the_draft),
                         ("active only when patient, service and employer agree; the GP gets it", active_only_when_all_three_agree),
                         ("a stale If-Match is 412", stale_if_match_is_412),
                         ("withdrawal puts the plan on hold; agreement again resumes it", withdrawal_and_renewed_agreement),
                         ("the SSP fallback: new note, revoked plan, every party told", ssp_fallback_reaches_every_party),
                         ("the GP system reads plans by NHS number, status and version", gp_reads_plans),
                         ("the employer deadline passing triggers the fallback", employer_deadline_triggers_the_fallback),
                         ("the end of the period completes an active plan", period_end_completes_the_plan)]:
            suite.check(name, fn)
        gw.stop()
    finally:
        if gw.proc.poll() is None:
            gw.kill()
        service.stop()
        gp.stop()
        if suite.failed:
            print("gateway log:", os.path.join(work, "gateway.log"))
        else:
            shutil.rmtree(work, ignore_errors=True)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The reference WorkWell service's side of a Stay in Work plan, over the gateway's FHIR API.

After the service has received a referral (workwell-service answers the BaRS message), its coach
meets the patient, maps the barriers and the job demands and proposes a plan: this module builds
that plan from what the gateway holds about the case (Task -> ServiceRequest, Patient, Condition,
fit note, the employer named in the consent to contact it) and sends it to the gateway's
$process-message. It then records the agreements of the patient and of the service. The
employer's part is examples/employer.py.

Used by examples/flow.py and the integration tests; also runnable:
  plan_client.py GATEWAY_BASE Task/<id>     proposes a plan for that case, prints the CarePlan id
"""
import datetime
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

FHIR = "application/fhir+json"
WW = "https://fhir.workwell.nhs.uk"
# The bearer token the service's calls carry when the gateway requires authentication.
TOKEN = None


def call(base, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base.rstrip("/") + path, data=data, method=method)
    req.add_header("Accept", FHIR)
    if data is not None:
        req.add_header("Content-Type", FHIR)
    if TOKEN:
        req.add_header("Authorization", "Bearer " + TOKEN)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), json.loads(r.read().decode() or "null")
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, dict(e.headers), json.loads(text) if text.startswith("{") else text


def read(base, reference):
    status, _, body = call(base, "GET", "/" + reference)
    if status != 200:
        raise RuntimeError(f"GET {reference}: {status} {body}")
    return body


def coding(system, code):
    return {"coding": [{"system": system, "code": code}]}


def case_facts(base, task_ref):
    """What the service knows about the case, read back from the gateway."""
    task = read(base, task_ref)
    referral = read(base, task["focus"]["reference"])
    patient = task["for"]["reference"]
    service = read(base, task["owner"]["reference"])
    service_org = service["providedBy"]["reference"]
    conditions = [r["reference"] for r in referral.get("reasonReference", [])]
    fit_note = next((s["reference"] for s in referral.get("supportingInfo", [])
                     if s.get("reference", "").startswith("Observation/")), None)
    employer = None
    query = urllib.parse.urlencode({"patient": patient})
    _, _, consents = call(base, "GET", f"/Consent?{query}")
    for entry in consents.get("entry", []):
        for actor in entry["resource"].get("provision", {}).get("actor", []):
            if actor.get("reference", {}).get("reference", "").startswith("Organization/"):
                employer = actor["reference"]["reference"]
    return {"task": task, "referral": task["focus"]["reference"], "patient": patient, "service_org": service_org,
            "conditions": conditions, "fit_note": fit_note, "employer": employer}


def plan_message(facts, today, plan_key, contracted_hours=37.5, weeks=8, employment="employed"):
    """A stay-in-work-plan-proposed message: draft plan, care team, barriers, job demands. A
    self-employed or unemployed person's plan has no employer party."""
    start = today
    end = today + datetime.timedelta(weeks=weeks) - datetime.timedelta(days=1)
    urn = {k: "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{plan_key}/{k}"))
           for k in ("header", "plan", "team", "barriers", "demands", "coach")}
    patient = {"reference": facts["patient"]}
    # The service's coach, who meets the patient and proposes the plan.
    coach_role = {"resourceType": "PractitionerRole", "active": True,
                  "organization": {"reference": facts["service_org"]},
                  "code": [{"text": "Work and health coach"}]}
    coach = {"reference": urn["coach"]}
    participants = [
        {"role": [coding(f"{WW}/CodeSystem/WorkWell-PlanParty", "patient")], "member": patient},
        {"role": [coding(f"{WW}/CodeSystem/WorkWell-PlanParty", "workwell-service")], "member": coach},
    ]
    with_employer = employment == "employed" and facts["employer"]
    if with_employer:
        participants.append({"role": [coding(f"{WW}/CodeSystem/WorkWell-PlanParty", "employer")],
                             "member": {"reference": facts["employer"]}})
    team = {"resourceType": "CareTeam", "meta": {"profile": [f"{WW}/StructureDefinition/WorkWell-StayInWorkCareTeam"]},
            "status": "active", "subject": patient, "participant": participants}
    when = today.isoformat() + "T10:00:00+00:00"
    barriers = {"resourceType": "Observation",
                "meta": {"profile": [f"{WW}/StructureDefinition/WorkWell-BarriersAnalysis"]},
                "status": "final", "code": coding(f"{WW}/CodeSystem/WorkWell-ObservationType", "barriers-analysis"),
                "subject": patient, "effectiveDateTime": when, "performer": [coach],
                "component": [
                    {"code": coding(f"{WW}/CodeSystem/WorkWell-BarrierCategory", "physical"),
                     "valueString": "Pain when lifting more than 5 kg"},
                    {"code": coding(f"{WW}/CodeSystem/WorkWell-BarrierCategory", "psychological"),
                     "valueString": "Worried about letting the team down"}]}
    demands = {"resourceType": "Observation", "meta": {"profile": [f"{WW}/StructureDefinition/WorkWell-JobDemands"]},
               "status": "final", "code": coding(f"{WW}/CodeSystem/WorkWell-ObservationType", "job-demands-mapping"),
               "subject": patient, "effectiveDateTime": when, "performer": [coach],
               "component": [
                   {"extension": [{"url": f"{WW}/StructureDefinition/Extension-WorkWell-ClinicalLimitation",
                                   "valueString": "No lifting over 5 kg for four weeks"}],
                    "code": coding(f"{WW}/CodeSystem/WorkWell-JobDemandType", "physical"),
                    "valueString": "Moving stock cages and cartons up to 20 kg"},
                   {"code": coding(f"{WW}/CodeSystem/WorkWell-JobDemandType", "working-pattern"),
                    "valueString": "Shifts of 7.5 hours, 5 days a week"}]}
    steps = [(1, contracted_hours * 0.4), (2, contracted_hours * 0.6), (3, contracted_hours * 0.8)]
    phased_end = start + datetime.timedelta(weeks=3)
    activities = [
        {"detail": {"extension": [
            {"extension": [{"url": "week", "valuePositiveInt": w}, {"url": "hoursPerWeek", "valueDecimal": h}],
             "url": f"{WW}/StructureDefinition/Extension-WorkWell-PhasedReturnStep"} for w, h in steps] + [
            {"url": f"{WW}/StructureDefinition/Extension-WorkWell-ContractedHours", "valueDecimal": contracted_hours}],
            "code": coding(f"{WW}/CodeSystem/WorkWell-PlanActivity", "phased-return"), "status": "scheduled",
            "scheduledPeriod": {"start": start.isoformat(), "end": phased_end.isoformat()},
            "description": f"Three weeks building up to full hours from {phased_end.isoformat()}."}},
        {"detail": {"extension": [{"extension": [{"url": "duty", "valueString": "Lifting stock cages"},
                                                 {"url": "change", "valueCode": "removed"},
                                                 {"url": "until", "valueDate": end.isoformat()}],
                                   "url": f"{WW}/StructureDefinition/Extension-WorkWell-DutyChange"}],
                    "code": coding(f"{WW}/CodeSystem/WorkWell-PlanActivity", "amended-duties"), "status": "scheduled",
                    "scheduledPeriod": {"start": start.isoformat(), "end": end.isoformat()}}},
        {"detail": {"code": coding(f"{WW}/CodeSystem/WorkWell-PlanActivity", "workplace-adaptation"),
                    "status": "scheduled", "description": "Sit-stand desk at the stock control station."}},
        {"detail": {"code": coding(f"{WW}/CodeSystem/WorkWell-PlanActivity", "review"), "status": "scheduled",
                    "scheduledTiming": {"event": [(start + datetime.timedelta(weeks=2)).isoformat() + "T10:00:00+00:00",
                                                  (start + datetime.timedelta(weeks=6)).isoformat() + "T10:00:00+00:00"]}}},
    ]
    supporting = [{"reference": urn["barriers"]}, {"reference": urn["demands"]}]
    if facts["fit_note"]:
        supporting.append({"reference": facts["fit_note"]})
    plan = {"resourceType": "CarePlan", "meta": {"profile": [f"{WW}/StructureDefinition/WorkWell-StayInWorkPlan"]},
            "extension": [{"url": f"{WW}/StructureDefinition/Extension-WorkWell-BasedOnReferral",
                           "valueReference": {"reference": facts["referral"]}},
                          {"url": f"{WW}/StructureDefinition/Extension-WorkWell-EmploymentStatus",
                           "valueCodeableConcept": coding(f"{WW}/CodeSystem/WorkWell-EmploymentStatus", employment)}],
            "identifier": [{"system": f"{WW}/Id/stay-in-work-plan", "value": plan_key}],
            "status": "draft", "intent": "plan",
            "category": [{"coding": [{"system": f"{WW}/CodeSystem/WorkWell-CarePlanCategory", "code": "stay-in-work-plan",
                                      "display": "Stay in Work plan"}]}],
            "title": "Stay in Work plan", "subject": patient,
            "period": {"start": start.isoformat(), "end": end.isoformat()},
            "created": start.isoformat(),
            "careTeam": [{"reference": urn["team"]}],
            "addresses": [{"reference": c} for c in facts["conditions"]],
            "supportingInfo": supporting, "activity": activities}
    header = {"resourceType": "MessageHeader",
              "eventCoding": {"system": f"{WW}/CodeSystem/WorkWell-MessageEvent", "code": "stay-in-work-plan-proposed"},
              "source": {"name": "Reference WorkWell service", "endpoint": "urn:workwell:reference-service"},
              "focus": [{"reference": urn["plan"]}]}
    entries = [(urn["header"], header), (urn["plan"], plan), (urn["team"], team), (urn["barriers"], barriers),
               (urn["demands"], demands), (urn["coach"], coach_role)]
    return {"resourceType": "Bundle", "id": str(uuid.uuid5(uuid.NAMESPACE_URL, plan_key + "/message")), "type": "message",
            "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "entry": [{"fullUrl": u, "resource": dict(r, id=u.split(":")[-1])} for u, r in entries]}


def propose(base, task_ref, today=None, plan_key=None, employment="employed"):
    """Proposes a plan for the case; returns (status, plan reference or the OperationOutcome, facts)."""
    facts = case_facts(base, task_ref)
    today = today or datetime.date.today()
    plan_key = plan_key or "SIW-" + task_ref.split("/")[-1][:8]
    message = plan_message(facts, today, plan_key, employment=employment)
    status, headers, body = call(base, "POST", "/$process-message", message)
    if status != 200:
        return status, body, facts
    return status, headers["Content-Location"].split("/_history")[0], facts


def agree(base, plan_ref, party, agreed_by, method="in-person", if_match=None):
    params = {"resourceType": "Parameters", "parameter": [
        {"name": "party", "valueCode": party}, {"name": "agreedBy", "valueReference": {"reference": agreed_by}},
        {"name": "method", "valueCode": method}]}
    return call(base, "POST", f"/{plan_ref}/$agree", params, {"If-Match": if_match} if if_match else None)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    status, result, _ = propose(sys.argv[1], sys.argv[2])
    print(status, result if isinstance(result, str) else json.dumps(result))
    sys.exit(0 if status == 200 else 1)

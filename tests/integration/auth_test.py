#!/usr/bin/env python3
"""The real gateway with authentication required: clients registered with public keys, signed-JWT
client assertions (RS256, signed here with the openssl command) exchanged at POST /token for
bearer tokens, and every API call checked for its token and scopes.

Usage: auth_test.py GATEWAY_BINARY SERVICE_BINARY SOURCE_DIR
"""
import base64
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Gateway, Service, Suite, clean_up, fit_note, wait_for, write_routing  # noqa: E402

TOKEN_URL = "https://gateway.test/token"
suite = Suite()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_key(work, name):
    key = os.path.join(work, name + ".key")
    pub = os.path.join(work, name + ".pub.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub], check=True, capture_output=True)
    return key, pub


def assertion(client_id, key, jti=None, aud=TOKEN_URL, lifetime=60):
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    claims = b64url(json.dumps({"iss": client_id, "sub": client_id, "aud": aud, "exp": int(time.time()) + lifetime,
                                "jti": jti or str(uuid.uuid4())}).encode())
    signing_input = f"{header}.{claims}".encode()
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input, check=True,
                               capture_output=True).stdout
    return f"{header}.{claims}.{b64url(signature)}"


def token_request(base, jwt, scope):
    form = urllib.parse.urlencode({
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": jwt, "scope": scope}).encode()
    req = urllib.request.Request(base + "/token", data=form, method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode())


def call(method, url, token=None, body=None, content_type="application/json"):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/fhir+json")
    if data is not None:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def main():
    work = tempfile.mkdtemp(prefix="ww-auth-")
    service = Service()
    routing_dir = os.path.join(work, "routing")
    write_routing(routing_dir, service.base + "/fhir")
    gp_key, gp_pub = make_key(work, "gp")
    op_key, op_pub = make_key(work, "operator")
    au_key, au_pub = make_key(work, "auditor")
    ws_key, ws_pub = make_key(work, "service")
    security = {"authentication": "required", "tokenEndpoint": TOKEN_URL, "clients": [
        {"id": "gp-system-test", "kind": "gp-system", "odsPracticeCodes": ["M87021"], "publicKeyPemFile": gp_pub,
         "scopes": ["system/Task.cruds", "system/Patient.read"]},
        {"id": "operator-test", "kind": "operator", "publicKeyPemFile": op_pub, "scopes": ["system/*.read"]},
        {"id": "auditor-test", "kind": "auditor", "publicKeyPemFile": au_pub, "scopes": ["system/AuditEvent.read"]},
        {"id": "service-qua", "kind": "workwell-service", "serviceIds": ["qua-work-and-health"], "publicKeyPemFile": ws_pub,
         "scopes": ["system/*.read", "system/CarePlan.cruds"]},
        {"id": "service-qhl", "kind": "workwell-service", "serviceIds": ["qhl-msk"], "publicKeyPemFile": ws_pub,
         "scopes": ["system/*.read", "system/CarePlan.cruds"]},
        {"id": "gp-system-other", "kind": "gp-system", "odsPracticeCodes": ["M85001"], "publicKeyPemFile": gp_pub,
         "scopes": ["system/Task.cruds", "system/Patient.cruds", "system/Condition.read", "system/Provenance.read"]},
        {"id": "icb-qua", "kind": "icb", "icbCode": "QUA", "publicKeyPemFile": op_pub, "scopes": ["system/*.read"]}]}
    gw = Gateway(work, routing_dir, "sqlite", security=security)
    base = gw.base
    tokens = {}
    try:
        def public_routes_need_no_token():
            status, _, body = call("GET", base + "/metadata")
            assert status == 200, status
            sec = json.loads(body)["rest"][0]["security"]
            assert sec["service"][0]["coding"][0]["code"] == "SMART-on-FHIR", sec
            assert call("GET", base + "/healthz")[0] == 200

        def no_token_is_401():
            status, headers, body = call("GET", base + "/Patient")
            assert status == 401, status
            assert headers.get("WWW-Authenticate", "").startswith("Bearer"), headers
            assert json.loads(body)["issue"][0]["code"] == "login", body

        def signed_assertion_gets_a_token():
            status, body = token_request(base, assertion("gp-system-test", gp_key), "system/Task.cruds system/Patient.read")
            assert status == 200 and body["token_type"].lower() == "bearer", body
            tokens["gp"] = body["access_token"]
            status, body = token_request(base, assertion("operator-test", op_key), "system/*.read")
            assert status == 200, body
            tokens["op"] = body["access_token"]

        def replayed_or_forged_assertions_are_refused():
            jti = str(uuid.uuid4())
            first = assertion("gp-system-test", gp_key, jti=jti)
            assert token_request(base, first, "system/Task.read")[0] == 200
            status, body = token_request(base, assertion("gp-system-test", gp_key, jti=jti), "system/Task.read")
            assert status in (400, 401) and body["error"] == "invalid_client", body
            status, body = token_request(base, assertion("gp-system-test", op_key), "system/Task.read")
            assert status in (400, 401) and body["error"] == "invalid_client", body
            status, body = token_request(base, assertion("gp-system-test", gp_key, aud="https://elsewhere/token"),
                                         "system/Task.read")
            assert status in (400, 401), body

        def token_opens_what_its_scopes_allow():
            status, location_headers, body = call("POST", base + "/$submit?format=fitnote-json", tokens["gp"],
                                                  json.dumps(fit_note()))
            assert status == 201, body
            assert call("GET", base + "/Patient", tokens["gp"])[0] == 200
            status, _, body = call("GET", base + "/metrics", tokens["gp"])
            assert status == 403 and json.loads(body)["issue"][0]["code"] == "forbidden", (status, body)
            assert "workwell_delivery_attempts_total" in call("GET", base + "/metrics", tokens["op"])[2]
            status, _, _ = call("POST", base + "/$submit?format=fitnote-json", tokens["op"], json.dumps(fit_note()))
            assert status == 403, status
            assert call("GET", base + "/Patient", "not-a-token")[0] == 401

        def every_access_is_audited():
            status, body = token_request(base, assertion("auditor-test", au_key), "system/AuditEvent.read")
            assert status == 200, body
            auditor = body["access_token"]
            assert call("GET", base + "/AuditEvent", tokens["gp"])[0] == 403  # not the GP system's to see

            def events(query):
                status, _, text = call("GET", f"{base}/AuditEvent?{query}&_count=200", auditor)
                assert status == 200, text
                return [e["resource"] for e in json.loads(text).get("entry", [])]

            refused = events("altid=gp-system-test&outcome=4")
            assert any("/metrics" in e["outcomeDesc"] and e["outcomeDesc"].startswith("403") for e in refused), refused
            created = events("altid=gp-system-test&outcome=0")
            assert any(e["entity"][0]["what"]["reference"].startswith("Task/") and "$submit" in e["outcomeDesc"]
                       for e in created if e.get("entity")), created
            assert any(e["outcomeDesc"].startswith("401") for e in events("outcome=4")), "no 401 audited"
            wait_for("the delivery audited", lambda: any(e["outcomeDesc"].startswith("delivered")
                                                         for e in events("altid=gateway-delivery")))

        def data_scopes():
            # A GP system submits only its own practices' records (it is registered for M87021).
            other = fit_note(practice="M85001")
            status, _, body = call("POST", base + "/$submit?format=fitnote-json", tokens["gp"], json.dumps(other))
            assert status == 403 and json.loads(body)["issue"][0]["code"] == "forbidden", (status, body)
            query = urllib.parse.urlencode({"identifier": "https://fhir.workwell.nhs.uk/Id/case|"
                                            f"{other['sourceSystem']}/{other['sourceRecordId']}"})
            status, _, body = call("GET", f"{base}/Task?{query}", tokens["op"])
            assert status == 200 and json.loads(body)["total"] == 0, body
            # A WorkWell service works only on the cases routed to it; another one's are unknown (404).
            status, headers, body = call("POST", base + "/$submit?format=fitnote-json", tokens["gp"], json.dumps(fit_note()))
            assert status == 201, body
            task = headers["Location"]
            import plan_client
            wait_for("the referral delivered", lambda: json.loads(call("GET", f"{base}/{task}", tokens["op"])[2])["status"] == "accepted")
            for client in ("service-qua", "service-qhl"):
                status, body = token_request(base, assertion(client, ws_key), "system/*.read system/CarePlan.cruds")
                assert status == 200, body
                tokens[client] = body["access_token"]
            # Another service cannot read the case at all, nor propose a plan for it with the facts
            # the right service read.
            assert call("GET", f"{base}/{task}", tokens["service-qhl"])[0] == 404
            plan_client.TOKEN = tokens["service-qua"]
            facts = plan_client.case_facts(base, task)
            plan_client.TOKEN = tokens["service-qhl"]
            message = plan_client.plan_message(facts, datetime.date.today(), "SIW-AUTH-OTHER")
            status, _, result = plan_client.call(base, "POST", "/$process-message", message)
            assert status == 404, (status, result)
            plan_client.TOKEN = tokens["service-qua"]
            status, plan, facts = plan_client.propose(base, task, plan_key="SIW-AUTH-OWN")
            assert status == 200, plan
            plan_client.TOKEN = tokens["service-qhl"]
            status, _, body = plan_client.agree(base, plan, "patient", facts["patient"])
            assert status == 404, (status, body)
            plan_client.TOKEN = tokens["service-qua"]
            status, _, body = plan_client.agree(base, plan, "patient", facts["patient"])
            assert status == 200, (status, body)
            plan_client.TOKEN = None

        def token(client, key, scope):
            status, body = token_request(base, assertion(client, key), scope)
            assert status == 200, body
            return body["access_token"]

        def reads_and_searches_are_bounded():
            gp = token("gp-system-test", gp_key, "system/Task.cruds system/Patient.read")
            other_gp = token("gp-system-other", gp_key,
                             "system/Task.cruds system/Patient.cruds system/Condition.read system/Provenance.read")
            icb = token("icb-qua", op_key, "system/*.read")
            qua = token("service-qua", ws_key, "system/*.read")
            qhl = token("service-qhl", ws_key, "system/*.read")

            def get(path, who):
                status, _, body = call("GET", f"{base}/{path}", who)
                return status, json.loads(body) if body else None

            def case(who, record):
                status, headers, body = call("POST", base + "/$submit?format=fitnote-json", who, json.dumps(record))
                assert status == 201, body
                task_ref = headers["Location"].split("/_history")[0]
                status, task = get(task_ref, tokens["op"])
                assert status == 200, task
                return task_ref, task["for"]["reference"]

            own_task, own_patient = case(gp, fit_note())
            theirs = fit_note(practice="M85001")
            theirs["patient"] = dict(theirs["patient"], nhsNumber="9434765919", name={"given": ["Rhys"], "family": "Pryce"})
            their_task, their_patient = case(other_gp, theirs)
            wait_for("the own case delivered", lambda: get(own_task, tokens["op"])[1]["status"] == "accepted")

            def hidden(path, who):
                # Exactly what an id that was never stored gets: 404, the same text, nothing of the record.
                status, body = get(path, who)
                kind, rid = path.split("/")[0:2]
                unknown_status, unknown = get(path.replace(rid, "no-such-id-0000"), who)
                assert status == 404 == unknown_status, (path, status, body)
                assert body["issue"][0]["code"] == "not-found", body
                text = body["issue"][0]["diagnostics" if "diagnostics" in body["issue"][0] else "details"]
                unknown_text = unknown["issue"][0]["diagnostics" if "diagnostics" in unknown["issue"][0] else "details"]
                assert json.dumps(text).replace(rid, "X") == json.dumps(unknown_text).replace("no-such-id-0000", "X"), (text, unknown_text)
                for secret in ("9434765919", "Pryce", "Rhys", "M85001"):
                    assert secret not in json.dumps(body), body

            def ids(bundle):
                return {e["resource"]["resourceType"] + "/" + e["resource"]["id"] for e in bundle.get("entry", [])}

            # A GP system: its own practice's case and patient; the other practice's are unknown to it.
            assert get(own_task, gp)[0] == 200 and get(own_patient, gp)[0] == 200
            hidden(their_task, gp)
            hidden(their_patient, gp)
            hidden(their_task + "/_history", gp)
            hidden(their_task + "/_history/1", gp)
            status, bundle = get("Patient?_count=1000", gp)
            assert status == 200 and own_patient in ids(bundle) and their_patient not in ids(bundle), bundle
            assert bundle["total"] == len(ids(bundle)), bundle
            status, bundle = get("Task?_count=1000", gp)
            assert own_task in ids(bundle) and their_task not in ids(bundle), bundle
            status, bundle = get(f"Task?_id={their_task.split('/')[1]}", gp)
            assert status == 200 and bundle["total"] == 0 and not bundle.get("entry"), bundle
            # Paging counts only what the client sees: one per page, links to the next.
            status, bundle = get("Task?_count=1", gp)
            assert status == 200 and len(bundle["entry"]) == 1 and bundle["total"] == len(ids(get("Task?_count=1000", gp)[1])), bundle
            # Writes to the other practice's case are refused as if it did not exist.
            status, task = get(their_task, tokens["op"])
            assert call("PUT", f"{base}/{their_task}", gp, json.dumps(task), "application/fhir+json")[0] == 404
            assert call("DELETE", f"{base}/{their_task}", gp)[0] == 404
            assert get(their_task, tokens["op"])[0] == 200  # untouched
            # The other GP system: a Patient registered at another practice cannot be written; its own can.
            status, patient = get(their_patient, tokens["op"])
            foreign = {k: v for k, v in patient.items() if k not in ("id", "meta", "generalPractitioner")}
            own_org = get(own_patient, tokens["op"])[1]["generalPractitioner"][0]["reference"]
            foreign["generalPractitioner"] = [{"reference": own_org}]
            status, _, body = call("POST", base + "/Patient", other_gp, json.dumps(foreign), "application/fhir+json")
            assert status == 403 and json.loads(body)["issue"][0]["code"] == "forbidden", (status, body)
            assert "Pryce" not in body and "9434765919" not in body, body
            status, bundle = get(f"Provenance?_count=1000", other_gp)
            assert status == 200 and bundle.get("total", 0) >= 1, bundle
            # A WorkWell service: the case routed to it and that patient; another service sees neither.
            assert get(own_task, qua)[0] == 200 and get(own_patient, qua)[0] == 200
            hidden(own_task, qhl)
            hidden(own_patient, qhl)
            status, bundle = get("Patient?_count=1000", qhl)
            assert own_patient not in ids(bundle), bundle
            # An ICB: its own ICB's case figures, never a patient's record.
            status, bundle = get("Task?_count=1000", icb)
            assert status == 200 and own_task in ids(bundle) and their_task not in ids(bundle), bundle
            for e in bundle["entry"]:
                icb_inputs = [i["valueString"] for i in e["resource"].get("input", []) if i["type"]["text"] == "icb"]
                assert icb_inputs == ["QUA"], e
            hidden(own_patient, icb)
            status, bundle = get("Patient?_count=1000", icb)
            assert status == 200 and bundle["total"] == 0, bundle
            # Operators are not bounded.
            status, bundle = get("Task?_count=1000", tokens["op"])
            assert {own_task, their_task} <= ids(bundle), bundle

        def icb_figures():
            icb = token("icb-qua", op_key, "system/*.read")
            gp = token("gp-system-test", gp_key, "system/Task.cruds system/Patient.read")
            # One "not fit" note besides the "may be fit" ones the other checks sent, all in QUA.
            not_fit = json.load(open(os.path.join(sys.argv[3], "examples/records/fit-note-not-fit.json")))
            not_fit["sourceRecordId"] = f"FN-FIGURES-{os.getpid()}"
            not_fit["practice"]["odsCode"] = "M87021"
            status, _, body = call("POST", base + "/$submit?format=fitnote-json", gp, json.dumps(not_fit))
            assert status == 201, body

            def figures(query, who):
                status, _, body = call("GET", f"{base}/$icb-figures{query}", who)
                return status, json.loads(body)

            status, fig = figures("", icb)
            assert status == 200 and fig["resourceType"] == "Parameters", fig
            values = {p["name"]: next(v for k, v in p.items() if k.startswith("value")) for p in fig["parameter"]
                      if "part" not in p}
            # The same cases the ICB's own Task search shows, counted by their inputs.
            status, _, text = call("GET", base + "/Task?_count=1000", icb)
            assert status == 200, text
            bundle = json.loads(text)
            tasks = [e["resource"] for e in bundle.get("entry", [])]
            outcomes = [i["valueString"] for t in tasks for i in t.get("input", []) if i["type"]["text"] == "fit-note-outcome"]
            assert values["icb"] == "QUA" and values["cases"] == len(tasks) > 0, (values, len(tasks))
            assert values["fitNotes"] == len(outcomes) and values["mayBeFit"] == outcomes.count("may-be-fit"), (values, outcomes)
            assert "not-fit" in outcomes and 0 < values["mayBeFit"] < values["fitNotes"], values
            assert abs(values["mayBeFitShare"] - values["mayBeFit"] / values["fitNotes"]) < 0.0005, values
            routed = {p["part"][0]["valueString"]: p["part"][1]["valueInteger"] for p in fig["parameter"]
                      if p["name"] == "routingOutcome"}
            assert sum(routed.values()) == values["cases"], (routed, values)
            # Another ICB's figures, and figures for a GP system: refused without data.
            status, body = figures("?icb=QHL", icb)
            assert status == 403 and body["issue"][0]["code"] == "forbidden", body
            status, body = figures("?icb=QUA", gp)
            assert status == 403 and body["issue"][0]["code"] == "forbidden", body
            # Operators name the ICB; the same figures; a bad code or date names the parameter.
            status, op_fig = figures("?icb=qua", tokens["op"])
            assert status == 200 and op_fig == fig, op_fig
            status, body = figures("", tokens["op"])
            assert status == 400 and "icb" in body["issue"][0]["details"]["text"], body
            status, body = figures("?icb=QUA&from=2026-13-01", tokens["op"])
            assert status == 400 and body["issue"][0]["details"]["text"].startswith("from"), body
            status, empty = figures("?icb=QUA&to=2000-01-01", tokens["op"])
            assert status == 200 and {p["name"]: p.get("valueInteger") for p in empty["parameter"]}["cases"] == 0, empty

        suite.run([("metadata and health checks are public", public_routes_need_no_token),
                   ("no token: 401 with WWW-Authenticate", no_token_is_401),
                   ("a signed client assertion gets a bearer token", signed_assertion_gets_a_token),
                   ("replayed, wrongly signed or mis-addressed assertions are refused", replayed_or_forged_assertions_are_refused),
                   ("a token opens what its scopes allow, 403 otherwise", token_opens_what_its_scopes_allow),
                   ("every access, refusal and delivery is an AuditEvent an auditor can search", every_access_is_audited),
                   ("data scopes: a GP system's own practices, a service's own cases (404 otherwise)", data_scopes),
                   ("data scopes bound reads, searches and writes: GP practice, service, ICB (404, nothing leaks)",
                    reads_and_searches_are_bounded),
                   ("$icb-figures: an ICB's own figures, counted from its cases; other ICBs and GP systems refused",
                    icb_figures)])
        gw.stop()
    finally:
        clean_up(suite, work, [gw], [service])
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())

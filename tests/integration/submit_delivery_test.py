#!/usr/bin/env python3
"""POST /$submit end to end: the real gateway on SQLite, the real reference WorkWell service
(examples/workwell-service), both on loopback ports picked by the kernel.

Covers the decision table over HTTP (routed, self-certified, waiting for a GP referral, no
consent, a GP referral that routes), idempotent resubmission, a failing service that recovers,
a permanent refusal that dead-letters and is requeued by an operator, a gateway killed with
SIGKILL in the middle of delivery, a routing reload on SIGHUP, /metrics, and check-config.
Every wait has a deadline; nothing sleeps a fixed time to make a result true.

Usage: submit_delivery_test.py GATEWAY_BINARY SERVICE_BINARY SOURCE_DIR
"""
import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Suite, GATEWAY, REFERRAL, Gateway, Service, fit_note, http, wait_for,  # noqa: E402
                     write_routing)

suite = Suite()


def info_texts(outcome):
    return [i["details"]["text"] for i in outcome["issue"] if i["severity"] in ("information", "warning")]



def run_suite(backend):
    work = tempfile.mkdtemp(prefix=f"ww-submit-{backend}-")
    service = Service()
    routing_dir = os.path.join(work, "routing")
    write_routing(routing_dir, service.base + "/fhir")
    gw = Gateway(work, routing_dir, backend)
    try:
        def routed_direct():
            before = service.stats()["processed"]
            status, location, outcome = gw.submit(fit_note())
            assert status == 201, outcome
            assert location.startswith("Task/"), location
            assert any("direct-route" in t and "qua-work-and-health" in t for t in info_texts(outcome)), outcome
            wait_for("Task accepted", lambda: gw.task_status(location) == "accepted")
            assert service.stats()["processed"] == before + 1
            task = gw.task(location)
            inputs = {i["type"]["text"]: i["valueString"] for i in task["input"]}
            assert inputs["routing-rule"] == "direct-route" and inputs["icb"] == "QUA", inputs
            assert task["owner"]["reference"].startswith("HealthcareService/")
            status, _, body = http("GET", f"{gw.base}/{task['focus']['reference']}")
            sr = json.loads(body)
            assert status == 200 and sr["performer"][0]["reference"] == task["owner"]["reference"], sr

        def resubmission_is_idempotent():
            record = fit_note()
            status, location, _ = gw.submit(record)
            assert status == 201
            wait_for("Task accepted", lambda: gw.task_status(location) == "accepted")
            processed = service.stats()["processed"]
            done = gw.metric('workwell_outbox_messages{state="done"}')
            status2, location2, outcome = gw.submit(record)
            assert status2 == 200 and location2 == location, (status2, location2)
            assert "already received" in info_texts(outcome)[0]
            # A later record goes through the same outbox; once it is delivered, the resubmission
            # has certainly had its chance to be sent, and was not.
            status3, location3, _ = gw.submit(fit_note())
            wait_for("the later case accepted", lambda: gw.task_status(location3) == "accepted")
            assert service.stats()["processed"] == processed + 1
            assert gw.metric('workwell_outbox_messages{state="done"}') == done + 1
            status, _, body = http("GET", f"{gw.base}/Task?identifier=https://fhir.workwell.nhs.uk/Id/case|"
                                          f"{record['sourceSystem']}/{record['sourceRecordId']}")
            assert json.loads(body)["total"] == 1, body

        def self_certified():
            status, location, outcome = gw.submit(fit_note(absence_start="2026-11-14"))  # day 5 at issue
            assert status == 201, outcome
            task = gw.task(location)
            assert task["status"] == "cancelled" and task["businessStatus"]["text"] == "self-cert", task
            assert "owner" not in task

        def gp_led_waits_for_referral():
            status, location, outcome = gw.submit(fit_note(practice="M85001"))
            assert status == 201, outcome
            task = gw.task(location)
            assert task["status"] == "on-hold" and task["businessStatus"]["text"] == "needs-gp-referral", task

        def no_consent():
            status, location, outcome = gw.submit(fit_note(consent=False))
            assert status == 201, outcome
            assert gw.task(location)["businessStatus"]["text"] == "no-consent"
            assert any(i["severity"] == "warning" and "consent" in i["details"]["text"].lower()
                       for i in outcome["issue"]), outcome

        def gp_referral_routes_in_gp_led_icb():
            r = copy.deepcopy(REFERRAL)
            r["sourceRecordId"] = f"REF-TEST-{os.getpid()}"
            r["touchpoint"] = "primary-care"
            r["referrer"]["organisation"]["odsCode"] = "M85001"
            r["patient"]["address"]["postcode"] = "B15 2TT"
            r["requestedTier"] = "clinical-msk"
            status, location, outcome = gw.submit(r, "referral-json")
            assert status == 201, outcome
            assert any("gp-led-route" in t and "qhl-msk" in t for t in info_texts(outcome)), outcome
            wait_for("Task accepted", lambda: gw.task_status(location) == "accepted")

        def bad_record_stores_nothing():
            record = fit_note()
            del record["patient"]["nhsNumber"]
            status, location, outcome = gw.submit(record)
            assert status == 422 and location == "", (status, outcome)
            assert any("nhsNumber" in (i.get("location") or [""])[0] for i in outcome["issue"]), outcome

        def transient_failures_then_recovery():
            before = service.stats()["processed"]
            retried = gw.metric('workwell_delivery_outcomes_total{outcome="retried"}')
            service.control(failStatus=503, failCount=2)
            status, location, _ = gw.submit(fit_note())
            assert status == 201
            wait_for("Task accepted after retries", lambda: gw.task_status(location) == "accepted")
            assert service.stats()["processed"] == before + 1
            assert gw.metric('workwell_delivery_outcomes_total{outcome="retried"}') >= retried + 2

        def permanent_refusal_dead_letters_and_requeue():
            service.control(failStatus=422, failCount=-1)
            status, location, _ = gw.submit(fit_note())
            assert status == 201
            wait_for("Task rejected", lambda: gw.task_status(location) == "rejected")
            task_id = location.split("/")[1]
            letters = json.loads(http("GET", gw.base + "/_delivery/dead-letters")[2])["deadLetters"]
            mine = [d for d in letters if d["task"] == location]
            assert len(mine) == 1 and mine[0]["state"] == "dead", letters
            status, _, body = http("GET", f"{gw.base}/_delivery/dead-letters/{mine[0]['id']}")
            assert status == 200 and task_id in body
            cli = subprocess.run([GATEWAY, "dead-letters", "list", "--config", gw.config], capture_output=True, text=True)
            assert cli.returncode == 0 and any(json.loads(l)["id"] == mine[0]["id"] for l in cli.stdout.splitlines()), cli
            cli = subprocess.run([GATEWAY, "dead-letters", "show", str(mine[0]["id"]), "--config", gw.config],
                                 capture_output=True, text=True)
            assert cli.returncode == 0 and "servicerequest-request" in json.loads(cli.stdout)["payload"], cli.stderr
            service.control(failStatus=0, failCount=0)
            status, _, body = http("POST", f"{gw.base}/_delivery/dead-letters/{mine[0]['id']}/$requeue")
            assert status == 200, body
            wait_for("Task accepted after requeue", lambda: gw.task_status(location) == "accepted")
            status, _, _ = http("POST", f"{gw.base}/_delivery/dead-letters/{mine[0]['id']}/$requeue")
            assert status == 404

        def restart_mid_delivery_loses_nothing():
            service.control(failStatus=503, failCount=-1)
            before = service.stats()["processed"]
            locations = []
            for _ in range(3):
                status, location, _ = gw.submit(fit_note())
                assert status == 201
                locations.append(location)
            wait_for("a failed attempt", lambda: gw.metric('workwell_delivery_outcomes_total{outcome="retried"}'))
            gw.kill()
            service.control(failStatus=0, failCount=0)
            gw.start()
            for location in locations:
                wait_for("Task accepted after restart", lambda: gw.task_status(location) == "accepted", 60)
            assert service.stats()["processed"] == before + 3

        def sighup_reloads_routing():
            second = Service()
            try:
                write_routing(routing_dir, second.base + "/fhir")
                gw.proc.send_signal(signal.SIGHUP)
                wait_for("the reload", lambda: "routing_reloaded" in open(os.path.join(work, "gateway.log")).read())
                status, location, _ = gw.submit(fit_note())
                assert status == 201
                wait_for("Task accepted by the second service", lambda: gw.task_status(location) == "accepted")
                assert second.stats()["processed"] == 1
                # A broken routing config is refused and the working one stays.
                with open(os.path.join(routing_dir, "decision.json"), "w") as f:
                    f.write("{")
                gw.proc.send_signal(signal.SIGHUP)
                wait_for("the refusal", lambda: "routing_reload_refused" in open(os.path.join(work, "gateway.log")).read())
                status, location, _ = gw.submit(fit_note())
                assert status == 201
                wait_for("Task accepted", lambda: gw.task_status(location) == "accepted")
                assert second.stats()["processed"] == 2
            finally:
                write_routing(routing_dir, service.base + "/fhir")
                second.stop()

        def check_config_reports_routing_errors():
            broken = os.path.join(work, "broken-routing")
            write_routing(broken, service.base + "/fhir")
            icbs = json.load(open(os.path.join(broken, "icbs.json")))
            icbs["icbs"][0]["model"] = "sideways"
            json.dump(icbs, open(os.path.join(broken, "icbs.json"), "w"))
            config = os.path.join(work, "broken.json")
            json.dump({"routing": {"dir": broken}, "security": {"authentication": "disabled-insecure"}}, open(config, "w"))
            r = subprocess.run([GATEWAY, "check-config", "--config", config], capture_output=True, text=True)
            assert r.returncode == 1 and "icbs.json: /icbs/0/model" in r.stderr, (r.returncode, r.stderr)

        def metrics_are_prometheus_text():
            text = http("GET", gw.base + "/metrics")[2]
            for name in ("workwell_delivery_attempts_total", "workwell_delivery_latency_seconds_count",
                         'workwell_outbox_messages{state="pending"}', 'workwell_outbox_messages{state="dead"}'):
                assert re.search("^" + re.escape(name) + r" \d", text, re.M), name
            assert "# TYPE workwell_delivery_latency_seconds histogram" in text

        for name, fn in [("routed to the direct ICB's service and accepted", routed_direct),
                         ("the same record again is not a second case", resubmission_is_idempotent),
                         ("an absence of 7 days or fewer is self-certified", self_certified),
                         ("a GP-led ICB waits for a GP referral", gp_led_waits_for_referral),
                         ("no consent, no referral, and the sender is told", no_consent),
                         ("a GP referral routes in a GP-led ICB", gp_referral_routes_in_gp_led_icb),
                         ("a record that cannot become FHIR stores nothing", bad_record_stores_nothing),
                         ("503s then recovery: delivered once", transient_failures_then_recovery),
                         ("a 4xx dead-letters, the Task is rejected, requeue delivers", permanent_refusal_dead_letters_and_requeue),
                         ("SIGKILL mid-delivery loses nothing", restart_mid_delivery_loses_nothing),
                         ("SIGHUP reloads routing; a broken one is refused", sighup_reloads_routing),
                         ("check-config locates routing errors", check_config_reports_routing_errors),
                         ("/metrics", metrics_are_prometheus_text)]:
            suite.check(f"[{backend}] {name}", fn)
        gw.stop()
    finally:
        if gw.proc.poll() is None:
            gw.kill()
        service.stop()
        if suite.failed:
            print("gateway log:", os.path.join(work, "gateway.log"))
        else:
            shutil.rmtree(work, ignore_errors=True)


def main():
    run_suite("sqlite")
    if os.environ.get("WORKWELL_PG_DSN"):
        run_suite("postgres")
    else:
        print("skipped the PostgreSQL run: WORKWELL_PG_DSN is not set (scripts/postgres.sh start)")
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())

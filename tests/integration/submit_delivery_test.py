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
import time
import urllib.error
import urllib.request

GATEWAY, SERVICE, SOURCE = sys.argv[1], sys.argv[2], sys.argv[3]
FHIR = "application/fhir+json"
RECORD = json.load(open(os.path.join(SOURCE, "examples/records/fit-note-may-be-fit-physio.json")))
REFERRAL = json.load(open(os.path.join(SOURCE, "examples/records/referral-community-msk.json")))

passed = 0
failed = 0


def http(method, url, body=None, content_type="application/json", timeout=30):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", FHIR)
    if data is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def wait_for(what, predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Service:
    """The reference WorkWell service program."""

    def __init__(self):
        self.proc = subprocess.Popen([SERVICE, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (\d+)", line)
        if not m:
            raise RuntimeError(f"workwell-service did not start: {line!r}")
        self.base = f"http://127.0.0.1:{m.group(1)}"

    def stats(self):
        return json.loads(http("GET", self.base + "/_stats")[2])

    def control(self, **settings):
        status, _, body = http("POST", self.base + "/_control", json.dumps(settings))
        assert status == 200, body

    def stop(self):
        self.proc.kill()
        self.proc.wait()


class Gateway:
    def __init__(self, work, routing_dir, backend, **delivery):
        self.work = work
        self.config = os.path.join(work, "gateway.json")
        settings = {"pollMs": 50, "initialBackoffMs": 100, "maxBackoffMs": 400, "maxAttempts": 4,
                    "requestTimeoutMs": 2000}
        settings.update(delivery)
        if backend == "postgres":
            store = {"backend": "postgres",
                     "postgres": {"dsnEnv": "WORKWELL_PG_DSN", "schema": f"submit_test_{os.getpid()}"}}
        else:
            store = {"backend": "sqlite", "dataDir": os.path.join(work, "data")}
        with open(self.config, "w") as f:
            json.dump({"store": store, "routing": {"dir": routing_dir}, "delivery": settings}, f)
        self.start()

    def start(self):
        port_file = os.path.join(self.work, "port")
        if os.path.exists(port_file):
            os.remove(port_file)
        self.log = open(os.path.join(self.work, "gateway.log"), "a")
        self.proc = subprocess.Popen([GATEWAY, "serve", "--config", self.config, "--port", "0", "--port-file", port_file],
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        wait_for("the gateway's port file", lambda: os.path.exists(port_file) and open(port_file).read().strip(), 60)
        self.base = "http://127.0.0.1:" + open(port_file).read().strip()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=30) == 0
        self.log.close()

    def submit(self, record, fmt="fitnote-json"):
        status, headers, body = http("POST", f"{self.base}/$submit?format={fmt}", json.dumps(record))
        return status, headers.get("Location", ""), json.loads(body)

    def task(self, location):
        status, _, body = http("GET", f"{self.base}/{location}")
        assert status == 200, (status, body)
        return json.loads(body)

    def task_status(self, location):
        return self.task(location)["status"]

    def metric(self, name):
        text = http("GET", self.base + "/metrics")[2]
        m = re.search(r"^" + re.escape(name) + r" (\S+)$", text, re.M)
        return float(m.group(1)) if m else None


sys.path.insert(0, os.path.join(SOURCE, "scripts"))
local_routing = __import__("local-routing")


def write_routing(dst, endpoint):
    """The shipped routing config with every service at `endpoint` and no credentials."""
    local_routing.write_local_routing(os.path.join(SOURCE, "config/routing"), dst, endpoint)


counter = [0]


def fit_note(practice="M87021", absence_start="2026-11-09", consent=True, **changes):
    counter[0] += 1
    r = copy.deepcopy(RECORD)
    r["sourceRecordId"] = f"FN-TEST-{os.getpid()}-{counter[0]}"
    r["practice"]["odsCode"] = practice
    r["absenceStartDate"] = absence_start
    r["consents"]["referral"]["given"] = consent
    r.update(changes)
    return r


def info_texts(outcome):
    return [i["details"]["text"] for i in outcome["issue"] if i["severity"] in ("information", "warning")]


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"ok   {name}")
    except Exception as e:  # a failed check names itself and goes on
        failed += 1
        print(f"FAIL {name}: {e!r}")


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
            json.dump({"routing": {"dir": broken}}, open(config, "w"))
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
            check(f"[{backend}] {name}", fn)
        gw.stop()
    finally:
        if gw.proc.poll() is None:
            gw.kill()
        service.stop()
        if failed:
            print("gateway log:", os.path.join(work, "gateway.log"))
        else:
            shutil.rmtree(work, ignore_errors=True)


def main():
    run_suite("sqlite")
    if os.environ.get("WORKWELL_PG_DSN"):
        run_suite("postgres")
    else:
        print("skipped the PostgreSQL run: WORKWELL_PG_DSN is not set (scripts/postgres.sh start)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

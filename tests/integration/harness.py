"""Shared by the integration tests written in Python: the real gateway and reference programs as
processes on loopback ports, HTTP helpers, waits with deadlines, and test records.

The test scripts are called as SCRIPT GATEWAY_BINARY SERVICE_BINARY SOURCE_DIR.
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


class Listener:
    """A reference program that prints "listening on <port>" once it serves."""

    def __init__(self, command):
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (\d+)", line)
        if not m:
            raise RuntimeError(f"{command[0]} did not start: {line!r}")
        self.base = f"http://127.0.0.1:{m.group(1)}"

    def stop(self):
        self.proc.kill()
        self.proc.wait()


class GpEndpoint(Listener):
    """examples/gp-system/gp_endpoint.py: receives what the gateway pushes to a GP system."""

    def __init__(self):
        super().__init__([sys.executable, os.path.join(SOURCE, "examples/gp-system/gp_endpoint.py"), "--port", "0"])

    def received(self):
        return json.loads(http("GET", self.base + "/received")[2])["received"]


class Service(Listener):
    """The reference WorkWell service program."""

    def __init__(self):
        super().__init__([SERVICE, "--port", "0"])

    def stats(self):
        return json.loads(http("GET", self.base + "/_stats")[2])

    def control(self, **settings):
        status, _, body = http("POST", self.base + "/_control", json.dumps(settings))
        assert status == 200, body


class Gateway:
    def __init__(self, work, routing_dir, backend, plans=None, tls=None, security=None, **delivery):
        self.work = work
        self.config = os.path.join(work, "gateway.json")
        settings = {"pollMs": 50, "initialBackoffMs": 100, "maxBackoffMs": 400, "maxAttempts": 4,
                    "requestTimeoutMs": 2000}
        settings.update(delivery)
        if tls:
            settings["tls"] = tls
        if backend == "postgres":
            store = {"backend": "postgres",
                     "postgres": {"dsnEnv": "WORKWELL_PG_DSN", "schema": f"submit_test_{os.getpid()}"}}
        else:
            store = {"backend": "sqlite", "dataDir": os.path.join(work, "data")}
        with open(self.config, "w") as f:
            config = {"store": store, "routing": {"dir": routing_dir}, "delivery": settings,
                      "security": security or {"authentication": "disabled-insecure"}}
            if plans:
                config["plans"] = plans
            json.dump(config, f)
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
sys.path.insert(0, os.path.join(SOURCE, "examples/workwell-service"))
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




class Suite:
    """Named checks that go on after a failure and end with the plain "N passed, N failed" line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, fn):
        try:
            fn()
            self.passed += 1
            print(f"ok   {name}")
        except Exception as e:  # a failed check names itself and the suite goes on
            self.failed += 1
            print(f"FAIL {name}: {e!r}")

    def run(self, checks, prefix=""):
        for name, fn in checks:
            self.check(prefix + name, fn)

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def clean_up(suite, work, gateways, programs):
    """Stops what a test started; keeps `work` (and says where) when a check failed."""
    for gw in gateways:
        if gw.proc.poll() is None:
            gw.kill()
    for p in programs:
        p.stop()
    if suite.failed:
        print("work dir:", work)
    else:
        shutil.rmtree(work, ignore_errors=True)

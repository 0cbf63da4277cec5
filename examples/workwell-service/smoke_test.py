#!/usr/bin/env python3
"""Runs the workwell-service program on a free port and checks its BaRS behaviour over HTTP:
400 without X-Request-Id, a servicerequest-response naming the request Bundle, a duplicate
answered the same way, an injected failure set through /_control, and /_stats counts."""
import json
import subprocess
import sys
import urllib.error
import urllib.request

EVENTS = "https://fhir.nhs.uk/CodeSystem/message-events-bars"
BUNDLE = {
    "resourceType": "Bundle", "id": "smoke-1", "type": "message",
    "entry": [{"fullUrl": "urn:uuid:h1", "resource": {
        "resourceType": "MessageHeader", "id": "h1",
        "eventCoding": {"system": EVENTS, "code": "servicerequest-request"},
        "source": {"endpoint": "https://gateway.example.org/fhir"},
        "focus": [{"reference": "urn:uuid:sr1"}]}}],
}


def post(base, path, body, headers):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/fhir+json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def main():
    program = sys.argv[1]
    service = subprocess.Popen([program, "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = service.stdout.readline().strip()
        assert line.startswith("listening on "), line
        base = "http://127.0.0.1:" + line.split()[-1]
        ids = {"X-Request-Id": "r1", "X-Correlation-Id": "c1"}

        status, body = post(base, "/fhir/$process-message", BUNDLE, {"X-Correlation-Id": "c1"})
        assert status == 400 and body["resourceType"] == "OperationOutcome", (status, body)

        status, body = post(base, "/fhir/$process-message", BUNDLE, ids)
        assert status == 200, (status, body)
        header = body["entry"][0]["resource"]
        assert header["eventCoding"]["code"] == "servicerequest-response", header
        assert header["response"] == {"identifier": "smoke-1", "code": "ok"}, header

        status, again = post(base, "/fhir/$process-message", BUNDLE, ids)
        assert status == 200 and again == body, (status, again)

        status, _ = post(base, "/_control", {"failStatus": 503, "failCount": 1}, {})
        assert status == 200
        status, _ = post(base, "/fhir/$process-message", BUNDLE, ids)
        assert status == 503, status

        with urllib.request.urlopen(base + "/_stats", timeout=10) as response:
            stats = json.loads(response.read())
        assert stats["processed"] == 1 and stats["duplicates"] == 1 and stats["rejected"] == 1, stats
        assert stats["injectedFailures"] == 1, stats
        print("workwell-service smoke test passed")
    finally:
        service.terminate()
        service.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

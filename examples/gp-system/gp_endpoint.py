#!/usr/bin/env python3
"""A reference GP system endpoint: receives the Stay in Work plans the gateway pushes to a GP
system that registered an R4 Subscription with a rest-hook channel
(https://hl7.org/fhir/R4/subscription.html#channels), and shows what it received.

  POST <any path>   a pushed resource (application/fhir+json); answered 200 and kept
  GET  /received    what arrived so far: {"received": [{"path", "headers", "resource"}, ...]}

Usage: gp_endpoint.py [--port N]     prints "listening on <port>" once it serves (0 = any port)
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received = []
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        text = self.rfile.read(length).decode("utf-8", "replace")
        try:
            resource = json.loads(text)
        except ValueError:
            self._answer(400, {"resourceType": "OperationOutcome", "issue": [
                {"severity": "error", "code": "structure", "details": {"text": "not JSON"}}]})
            return
        with lock:
            received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                             "resource": resource})
        self._answer(200, {"resourceType": "OperationOutcome", "issue": [
            {"severity": "information", "code": "informational", "details": {"text": "received"}}]})

    def do_GET(self):
        if self.path != "/received":
            self._answer(404, {"error": "not found"})
            return
        with lock:
            self._answer(200, {"received": list(received)})

    def log_message(self, *args):
        pass


def main():
    port = 0
    if len(sys.argv) == 3 and sys.argv[1] == "--port":
        port = int(sys.argv[2])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

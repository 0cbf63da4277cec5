#!/usr/bin/env python3
"""Delivery over TLS: the reference WorkWell service behind a TLS terminator (stunnel, as a
service's front door often is), a certificate from a throwaway CA made here with the openssl
command, and the gateway delivering to its https:// endpoint.

- with /delivery/tls/caFile naming that CA, the referral is delivered and the Task accepted;
- with the system's CA store, the peer cannot be verified: nothing is delivered, the message
  stays queued for retry (never sent unverified), and the Task stays requested;
- a config naming an unreadable CA file is refused by check-config with its JSON pointer.

Usage: tls_delivery_test.py GATEWAY_BINARY SERVICE_BINARY SOURCE_DIR
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Suite, GATEWAY, clean_up, Gateway, Service, fit_note, wait_for, write_routing  # noqa: E402

suite = Suite()



def run(*args, cwd):
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)


def make_certificates(d):
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-subj", "/CN=WorkWell test CA", "-days", "2", cwd=d)
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1", cwd=d)
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "san.ext", cwd=d)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_tls_front(d, target_port):
    port = free_port()
    conf = os.path.join(d, "stunnel.conf")
    with open(conf, "w") as f:
        f.write(f"foreground = yes\npid =\noutput = {d}/stunnel.log\n[workwell]\naccept = 127.0.0.1:{port}\n"
                f"connect = 127.0.0.1:{target_port}\ncert = {d}/server.pem\nkey = {d}/server.key\n"
                "sslVersionMin = TLSv1.2\n")
    proc = subprocess.Popen(["stunnel4" if shutil.which("stunnel4") else "stunnel", conf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    wait_for("the TLS front door", listening, 20)
    return proc, port


def main():
    work = tempfile.mkdtemp(prefix="ww-tls-")
    service = Service()
    make_certificates(work)
    front, port = start_tls_front(work, int(service.base.rsplit(":", 1)[1]))
    routing_dir = os.path.join(work, "routing")
    write_routing(routing_dir, f"https://127.0.0.1:{port}/fhir")
    gateways = []
    try:
        def delivered_with_the_configured_ca():
            gw = Gateway(os.path.join(work, "trusted"), routing_dir, "sqlite", tls={"caFile": os.path.join(work, "ca.pem")})
            gateways.append(gw)
            status, location, outcome = gw.submit(fit_note())
            assert status == 201, outcome
            wait_for("Task accepted over TLS", lambda: gw.task_status(location) == "accepted")
            assert service.stats()["processed"] == 1

        def unverifiable_peer_gets_nothing():
            gw = Gateway(os.path.join(work, "untrusted"), routing_dir, "sqlite")
            gateways.append(gw)
            before = service.stats()["processed"]
            status, location, _ = gw.submit(fit_note())
            assert status == 201
            wait_for("a failed attempt", lambda: gw.metric('workwell_delivery_outcomes_total{outcome="retried"}'))
            assert gw.task_status(location) == "requested"
            assert service.stats()["processed"] == before
            assert gw.metric('workwell_outbox_messages{state="pending"}') + \
                gw.metric('workwell_outbox_messages{state="claimed"}') >= 1

        def unreadable_ca_is_a_config_error():
            config = os.path.join(work, "bad.json")
            with open(config, "w") as f:
                json.dump({"delivery": {"tls": {"caFile": os.path.join(work, "missing.pem")}}}, f)
            r = subprocess.run([GATEWAY, "check-config", "--config", config], capture_output=True, text=True)
            assert r.returncode == 1 and "/delivery/tls/caFile" in r.stderr, r.stderr

        for d in ("trusted", "untrusted"):
            os.makedirs(os.path.join(work, d))
        for name, fn in [("delivered over TLS to a peer the configured CA vouches for", delivered_with_the_configured_ca),
                         ("a peer that cannot be verified is sent nothing", unverifiable_peer_gets_nothing),
                         ("an unreadable CA file is a config error", unreadable_ca_is_a_config_error)]:
            suite.check(name, fn)
    finally:
        front.kill()
        front.wait()
        clean_up(suite, work, gateways, [service])
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""A small HTTPS server for the MTA-STS tests (tests/integration/test_mtasts.sh).

usage: server.py --sites FILE --log FILE --pid FILE
                 --listen ADDR,CERT,KEY [--listen ...]

Serves https://mta-sts.DOMAIN/.well-known/mta-sts.txt for each DOMAIN of
the sites file (JSON), chosen by the Host header. A site says how:

  "policy":  a file under the sites file's policies/ directory (the body)
  "bytes":   instead, a generated valid enforce policy of exactly this
             many bytes (padded with an unknown key)
  "status":  the HTTP status (200)
  "type":    the Content-Type (text/plain), null for none
  "headers": more header fields, e.g. {"Location": "..."}
  "length":  false: no Content-Length, the body ends when the connection
             closes (true)
  "delay":   seconds to wait before answering (0)

Any other host or path gets a 404. Every request is logged as one line:
"CLIENT HOST PATH USER-AGENT" (spaces in the user agent become "_"). Each --listen is one address (IPv4 or IPv6) with its
own certificate chain and key. Runs until killed.
"""
import argparse
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WELL_KNOWN = "/.well-known/mta-sts.txt"


def generated(n):
    """A valid enforce policy of exactly n bytes."""
    head = (b"version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\n"
            b"max_age: 86400\r\nx-pad: ")
    if n < len(head) + 2:
        sys.exit(f"server.py: {n} bytes is too short for a policy")
    return head + b"a" * (n - len(head) - 2) + b"\r\n"


class Handler(BaseHTTPRequestHandler):
    server_version = "mtasts-test"
    sys_version = ""
    protocol_version = "HTTP/1.0"  # one request per connection

    def log_message(self, fmt, *args):  # quiet: the log file says enough
        pass

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        srv = self.server
        with srv.log_lock:
            ua = (self.headers.get("User-Agent") or "-").replace(" ", "_")
            srv.log.write(f"{self.client_address[0]} {host} {self.path} {ua}\n")
            srv.log.flush()
        site = None
        if host.startswith("mta-sts.") and self.path == WELL_KNOWN:
            site = srv.sites.get(host[len("mta-sts."):])
        if site is None:
            self.send_error(404)
            return
        time.sleep(site.get("delay", 0))
        if "bytes" in site:
            body = generated(site["bytes"])
        elif "policy" in site:
            with open(os.path.join(srv.policies, site["policy"]), "rb") as f:
                body = f.read()
        else:
            body = b""
        self.send_response(site.get("status", 200))
        ctype = site.get("type", "text/plain")
        if ctype is not None:
            self.send_header("Content-Type", ctype)
        for k, v in site.get("headers", {}).items():
            self.send_header(k, v)
        if site.get("length", True):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client gave up (a limit): fine
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, ctx):
        if ":" in addr:
            self.address_family = socket.AF_INET6
        super().__init__((addr, 443), Handler, bind_and_activate=False)
        self.ctx = ctx
        self.server_bind()
        self.server_activate()

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.settimeout(10)
        # the handshake happens in the request's thread, on first read
        return self.ctx.wrap_socket(sock, server_side=True,
                                    do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        pass  # failed handshakes (an untrusted certificate) are expected


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--pid", required=True)
    ap.add_argument("--listen", action="append", required=True,
                    metavar="ADDR,CERT,KEY")
    args = ap.parse_args()
    with open(args.sites, encoding="utf-8") as f:
        sites = {k.lower(): v for k, v in json.load(f).items()}
    log = open(args.log, "a", encoding="utf-8")
    lock = threading.Lock()
    servers = []
    for spec in args.listen:
        addr, cert, key = spec.split(",")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        srv = Server(addr, ctx)
        srv.sites = sites
        srv.policies = os.path.join(os.path.dirname(
            os.path.abspath(args.sites)), "policies")
        srv.log = log
        srv.log_lock = lock
        servers.append(srv)
    for srv in servers:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    with open(args.pid, "w", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    threading.Event().wait()


if __name__ == "__main__":
    main()

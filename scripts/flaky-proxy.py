#!/usr/bin/env python3
"""A reverse proxy on loopback that fails on demand, for registry-trigger tests.

    flaky-proxy.py --upstream http://127.0.0.1:5000 --port-file F [--port P] [--fail N] [--status 500] [--log L]

Answers the first N requests with STATUS (an outage of the registry), then forwards every
request to the upstream unchanged and relays its answer. Each request is appended to LOG as one
JSON line: {"method", "path", "body", "status", "authorization"} (test credentials only). Standard library only.
"""
import argparse
import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--upstream", required=True)
parser.add_argument("--port-file", required=True)
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--fail", type=int, default=0)
parser.add_argument("--status", type=int, default=500)
parser.add_argument("--log")
args = parser.parse_args()
lock = threading.Lock()
state = {"failed": 0}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            fail = state["failed"] < args.fail
            if fail:
                state["failed"] += 1
        if fail:
            status, data, ctype = args.status, b'{"error_code": "INTERNAL_ERROR", "message": "injected by flaky-proxy"}', "application/json"
        else:
            req = urllib.request.Request(args.upstream.rstrip("/") + self.path, data=body if self.command != "GET" else None, method=self.command)
            for h in ("Content-Type", "Authorization"):
                if self.headers.get(h):
                    req.add_header(h, self.headers[h])
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    status, data, ctype = r.status, r.read(), r.headers.get("Content-Type", "application/json")
            except urllib.error.HTTPError as e:
                status, data, ctype = e.code, e.read(), e.headers.get("Content-Type", "application/json")
        if args.log:
            with lock, open(args.log, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path, "body": body.decode("utf-8", "replace"), "status": status,
                                    "authorization": self.headers.get("Authorization")}) + "\n")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = handle_any
    do_POST = handle_any
    do_PATCH = handle_any
    do_DELETE = handle_any


server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.replace(args.port_file + ".tmp", args.port_file)
server.serve_forever()

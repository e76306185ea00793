#!/usr/bin/env python3
"""A small loopback webhook receiver for ModelMonitor's tests and demo.

Records every request as one JSON line ({"path", "headers", "body", "status", "verified"}) and
answers from a script of status codes, so tests can make it fail for a while, rate-limit, or
hang. With --secret it verifies Standard Webhooks signatures using the `standardwebhooks`
package (run it with .venv-webhooks/bin/python) and answers 401 to a bad signature.

  webhook-receiver.py --port-file P --log L [--statuses 500,500,200] [--retry-after 2]
                      [--hang] [--secret whsec_...] [--quiet]

Binds 127.0.0.1 only. The port is written to --port-file once listening (port 0 picks a free
one). The last status of --statuses repeats. Stops on SIGTERM/SIGINT.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--statuses", default="200")
    ap.add_argument("--retry-after", default=None)
    ap.add_argument("--hang", action="store_true")
    ap.add_argument("--secret", default=None)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    statuses = [int(s) for s in args.statuses.split(",") if s]
    lock = threading.Lock()
    state = {"n": 0}
    verifier = None
    if args.secret:
        from standardwebhooks.webhooks import Webhook
        verifier = Webhook(args.secret)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            if not args.quiet:
                sys.stderr.write("receiver: " + (fmt % a) + "\n")

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if args.hang:
                time.sleep(3600)
                return
            with lock:
                i = state["n"]
                state["n"] += 1
            status = statuses[min(i, len(statuses) - 1)]
            verified = None
            if verifier is not None:
                try:
                    verifier.verify(body, {k.lower(): v for k, v in self.headers.items()})
                    verified = True
                except Exception:
                    verified = False
                    status = 401
            record = {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
                "status": status,
                "verified": verified,
                "at": time.time(),
            }
            with lock:
                with open(args.log, "a") as f:
                    f.write(json.dumps(record) + "\n")
                    f.flush()
                    os.fsync(f.fileno())
            reply = b'{"ok":true}' if status < 300 else b'{"error":"scripted"}'
            self.send_response(status)
            if status == 429 and args.retry_after is not None:
                self.send_header("Retry-After", args.retry_after)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

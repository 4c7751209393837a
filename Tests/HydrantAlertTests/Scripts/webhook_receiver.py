#!/usr/bin/env python3
"""A webhook receiver for Hydrant's alert delivery tests.

It verifies every request's Hydrant-Signature with its own HMAC implementation (Python's hmac), records each
request as one JSON line in --log, and answers according to a per-key script chosen by the Idempotency-Key's
prefix, so tests can inject faults:

    --script 'flaky-=500,500,ok' --script 'slow-=sleep:2,ok' --default ok

Script steps (attempt n uses step n, the last step repeats): ok (200), a status number (e.g. 500, 403),
429:S (429 with Retry-After: S seconds), 429date:S (429 with Retry-After as an HTTP date S seconds ahead),
sleep:S (answer 200 after S seconds), close (close the connection without answering).
"""
import argparse
import email.utils
import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--secret", default="")
parser.add_argument("--tolerance", type=int, default=300)
parser.add_argument("--log", required=True)
parser.add_argument("--script", action="append", default=[])
parser.add_argument("--default", default="ok")
args = parser.parse_args()

scripts = []
for item in args.script:
    prefix, steps = item.split("=", 1)
    scripts.append((prefix, steps.split(",")))
default_steps = args.default.split(",")

lock = threading.Lock()
attempts = {}
log = open(args.log, "a", buffering=1)


def verify(header, body):
    if not args.secret:
        return True, "unsigned receiver"
    if header is None:
        return False, "missing header"
    fields = [part.split("=", 1) for part in header.split(",")]
    timestamps = [value for key, value in fields if key == "t"]
    candidates = [value for key, value in fields if key == "v1"]
    if len(timestamps) != 1 or not candidates:
        return False, "malformed header"
    timestamp = int(timestamps[0])
    if abs(time.time() - timestamp) > args.tolerance:
        return False, "timestamp outside tolerance"
    expected = hmac.new(args.secret.encode(), timestamps[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        return False, "signature mismatch"
    return True, "ok"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *arguments):
        pass

    def do_GET(self):
        self.answer(200, b'{"ok":true}')

    def do_POST(self):
        received = time.time()
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        key = self.headers.get("Idempotency-Key", "")
        signature_ok, signature_reason = verify(self.headers.get("Hydrant-Signature"), body)
        steps = next((steps for prefix, steps in scripts if key.startswith(prefix)), default_steps)
        with lock:
            attempt = attempts.get(key, 0) + 1
            attempts[key] = attempt
        step = steps[min(attempt - 1, len(steps) - 1)]
        if not signature_ok:
            step = "401"
        record = {
            "time": received, "key": key, "attempt": attempt, "step": step,
            "signature_ok": signature_ok, "signature_reason": signature_reason,
            "content_type": self.headers.get("Content-Type"), "extra": self.headers.get("X-Test-Extra"),
            "body": body.decode("utf-8", "replace"),
        }
        with lock:
            log.write(json.dumps(record) + "\n")
        if step == "ok":
            self.answer(200, b'{"ok":true}')
        elif step == "close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif step.startswith("sleep:"):
            time.sleep(float(step.split(":", 1)[1]))
            try:
                self.answer(200, b'{"ok":true}')
            except OSError:
                pass
        elif step.startswith("429date:"):
            when = email.utils.formatdate(time.time() + float(step.split(":", 1)[1]), usegmt=True)
            self.answer(429, b"slow down", {"Retry-After": when})
        elif step.startswith("429:"):
            self.answer(429, b"slow down", {"Retry-After": step.split(":", 1)[1]})
        else:
            status = int(step)
            self.answer(status, ("test receiver says %d for %s" % (status, key)).encode())

    def answer(self, status, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
server.serve_forever()

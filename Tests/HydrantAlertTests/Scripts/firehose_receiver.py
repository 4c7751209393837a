#!/usr/bin/env python3
"""A Firehose HTTP-endpoint receiver for Hydrant's tests, validating the request the way Vector's
aws_kinesis_firehose source does: protocol version, request id header and body echo, access key, JSON shape with
base64 records, optional gzip. Each request is logged as one JSON line in --log.

--mode ok (200 + requestId echo), fail (500 with errorMessage), wrongid (200 echoing another id),
fail-first:N (500 for the first N requests, then ok), 413 (payload too large).
"""
import argparse
import base64
import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--access-key", default="")
parser.add_argument("--mode", default="ok")
parser.add_argument("--log", required=True)
args = parser.parse_args()

lock = threading.Lock()
count = [0]
log = open(args.log, "a", buffering=1)


def check(headers, raw):
    if headers.get("X-Amz-Firehose-Protocol-Version") != "1.0":
        return None, [], "bad protocol version"
    request_id = headers.get("X-Amz-Firehose-Request-Id")
    if not request_id:
        return None, [], "no request id header"
    if args.access_key and headers.get("X-Amz-Firehose-Access-Key") != args.access_key:
        return request_id, [], "bad access key"
    if headers.get("Content-Type") != "application/json":
        return request_id, [], "bad content type"
    if headers.get("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    body = json.loads(raw)
    if body.get("requestId") != request_id:
        return request_id, [], "body requestId does not match the header"
    if not isinstance(body.get("timestamp"), int):
        return request_id, [], "no timestamp"
    records = [base64.b64decode(record["data"], validate=True).decode() for record in body["records"]]
    return request_id, records, "ok"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *arguments):
        pass

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            request_id, records, reason = check(self.headers, raw)
        except Exception as error:  # malformed bodies are what this receiver exists to catch
            request_id, records, reason = None, [], "malformed: %s" % error
        with lock:
            count[0] += 1
            number = count[0]
        mode = args.mode
        if mode.startswith("fail-first:"):
            mode = "fail" if number <= int(mode.split(":")[1]) else "ok"
        valid = reason == "ok"
        with lock:
            log.write(json.dumps({"time": time.time(), "request_id": request_id, "records": records,
                                  "valid": valid, "reason": reason, "number": number,
                                  "encoding": self.headers.get("Content-Encoding"),
                                  "attributes": self.headers.get("X-Amz-Firehose-Common-Attributes")}) + "\n")
        now = int(time.time() * 1000)
        if not valid:
            self.answer(401 if reason == "bad access key" else 400,
                        {"requestId": request_id or "", "timestamp": now, "errorMessage": reason})
        elif mode == "fail":
            self.answer(500, {"requestId": request_id, "timestamp": now, "errorMessage": "Unauthorized"})
        elif mode == "413":
            self.answer(413, {"requestId": request_id, "timestamp": now, "errorMessage": "too large"})
        elif mode == "wrongid":
            self.answer(200, {"requestId": "not-" + request_id, "timestamp": now})
        else:
            self.answer(200, {"requestId": request_id, "timestamp": now})

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()

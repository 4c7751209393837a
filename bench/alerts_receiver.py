#!/usr/bin/env python3
"""A fast webhook receiver for bench/alerts.sh: HTTP/1.1 keep-alive on asyncio, verifies every Hydrant-Signature
(HMAC-SHA256 of "t.body"), and notes for each alert (by Idempotency-Key, first receipt only) the wall-clock time
of receipt and the alert's @timestamp (the matching record's event time, which the bench sets to the moment the
record was sent to Hydrant). GET /stats answers {"received", "bad", "rows": [[event_s, receipt_s], ...]} and
forgets the rows.
"""
import argparse
import asyncio
import hashlib
import hmac
import json
import time
from datetime import datetime, timezone

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--secret", required=True)
args = parser.parse_args()
SECRET = args.secret.encode()

seen = {}
rows = []
bad = [0]


def event_seconds(body):
    """The alert's "@timestamp" (RFC 3339, nanoseconds, Z) as epoch seconds, without parsing the whole body."""
    start = body.find(b'"@timestamp":"')
    if start < 0:
        return None
    start += 14
    end = body.find(b'"', start)
    text = body[start:end].decode()
    whole, _, fraction = text.rstrip("Z").partition(".")
    base = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    return base + (float("0." + fraction) if fraction else 0.0)


def verify(header, body):
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        expected = hmac.new(SECRET, parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts["v1"])
    except Exception:
        return False


class Receiver(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < head_end + 4 + length:
                return
            body = self.buffer[head_end + 4:head_end + 4 + length]
            self.buffer = self.buffer[head_end + 4 + length:]
            now = time.time()
            if head[0].startswith("GET /stats"):
                answer = json.dumps({"received": len(seen), "bad": bad[0], "rows": rows}).encode()
                rows.clear()
                self.respond(200, answer)
                continue
            if not verify(headers.get("hydrant-signature", ""), body):
                bad[0] += 1
                self.respond(401, b"")
                continue
            key = headers.get("idempotency-key")
            if key and key not in seen:
                seen[key] = now
                event = event_seconds(body)
                if event is not None:
                    rows.append((event, now))
            self.respond(200, b"")

    def respond(self, status, body):
        reason = b"OK" if status == 200 else b"Unauthorized"
        self.transport.write(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                             % (status, reason, len(body)) + body)


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Receiver, "127.0.0.1", args.port, backlog=1024)
    async with server:
        await server.serve_forever()


asyncio.run(main())

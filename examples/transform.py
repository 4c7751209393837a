#!/usr/bin/env python3
"""A sample external transform for Hydrant's `http_transform` processor.

Hydrant POSTs batches in Firehose's Lambda transformation format and applies the answer:

  request:  {"invocationId": "...", "deliveryStreamArn": "...", "region": "...",
             "records": [{"recordId": "...", "approximateArrivalTimestamp": 1507217624302, "data": "<base64>"}]}
  response: {"records": [{"recordId": "<same id>", "result": "Ok" | "Dropped" | "ProcessingFailed",
                          "data": "<base64>", "metadata": {"partitionKeys": {"key": "value"}}}]}

Every record sent must come back exactly once. This one labels JSON records, drops mDNS lookups and fails records
that are not JSON. Run: python3 examples/transform.py [--port 9100]   (or --stdin: one request in, one response out)
"""
import base64, json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def transform(event):
    out = []
    for record in event["records"]:
        try:
            doc = json.loads(base64.b64decode(record["data"]))
        except ValueError:
            out.append({"recordId": record["recordId"], "result": "ProcessingFailed", "data": record["data"]})
            continue
        if doc.get("dns", {}).get("question", {}).get("name", "").endswith(".local"):
            out.append({"recordId": record["recordId"], "result": "Dropped", "data": ""})
            continue
        doc.setdefault("labels", {})["transformed_by"] = "examples/transform.py"
        data = base64.b64encode(json.dumps(doc, separators=(",", ":")).encode() + b"\n").decode()
        dataset = doc.get("event", {}).get("dataset", "unknown")
        out.append({"recordId": record["recordId"], "result": "Ok", "data": data,
                    "metadata": {"partitionKeys": {"dataset": dataset}}})
    return {"records": out}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        reply = json.dumps(transform(json.loads(body))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


if __name__ == "__main__":
    if "--stdin" in sys.argv:
        json.dump(transform(json.load(sys.stdin)), sys.stdout)
    else:
        port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 9100
        HTTPServer(("127.0.0.1", port), Handler).serve_forever()

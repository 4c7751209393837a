#!/usr/bin/env python3
"""Alert delivery end to end, for bench/alerts.sh: records are put into a delivery stream of `hydrant serve`
(Firehose PutRecordBatch over HTTP, write-ahead log fsynced) whose `detect` processor raises one single-record
detection per record; the alert goes through the webhook outbox (fsynced) and a signed POST to a receiver
(bench/alerts_receiver.py, another process). Latency is from the moment a record is sent to the stream (the
record's @timestamp, which the alert carries) to the receiver's receipt, on the machine's wall clock; buffering
is at its minimum (interval_s: 0).

1. latency: ALERTS records, one per PutRecordBatch, paced at RATE per second (a live source): p50, p99, max.
2. throughput: ALERTS more records in PutRecordBatch calls of BATCH records, as fast as the stream takes them:
   alerts/s from the first put to the last receipt.

The last line, starting with RESULT, is for scripts.
"""
import argparse
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone

parser = argparse.ArgumentParser()
parser.add_argument("--hydrant", required=True)
parser.add_argument("--alerts", type=int, default=10000)
parser.add_argument("--rate", type=float, default=500)
parser.add_argument("--batch", type=int, default=500)
parser.add_argument("--concurrency", type=int, default=8)
parser.add_argument("--out", default="bench/out/alerts")
parser.add_argument("--perf", help="record a perf profile of hydrant serve during the throughput phase into this file")
args = parser.parse_args()

RULE = """title: Bench lookup
id: 8d0b6a52-3c1e-4f43-9a55-0b3f0c0be001
status: test
level: high
logsource:
  category: network
  service: dns
detection:
  selection:
    dns.question.name|endswith: '.bench.invalid'
  condition: selection
"""
SECRET = "bench-alerts-secret"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port, process, what):
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"{what} did not start listening on {port}")


def record(index, now):
    """A DNS record, unique per index (every alert id differs), its @timestamp the moment it is sent."""
    seconds = int(now)
    micros = int((now - seconds) * 1_000_000)
    stamp = datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % micros
    return ('{"@timestamp":"%s","event":{"dataset":"network.dns"},"source":{"ip":"10.10.0.5","port":53000},'
            '"destination":{"ip":"10.0.0.53","port":53},"network":{"transport":"udp"},'
            '"dns":{"question":{"name":"q%d.bench.invalid","type":"A"}}}\n' % (stamp, index)).encode()


class Stream:
    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port)

    def put(self, records):
        body = json.dumps({"DeliveryStreamName": "bench",
                           "Records": [{"Data": base64.b64encode(r).decode()} for r in records]})
        self.connection.request("POST", "/", body, {"X-Amz-Target": "Firehose_20150804.PutRecordBatch",
                                                    "Content-Type": "application/x-amz-json-1.1"})
        response = self.connection.getresponse()
        answer = json.loads(response.read())
        if response.status != 200 or answer.get("FailedPutCount", 1) != 0:
            sys.exit(f"put failed: {response.status} {answer}")


def stats(port):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/stats")
    return json.loads(connection.getresponse().read())


def wait_received(port, total, timeout):
    deadline = time.time() + timeout
    rows = []
    while True:
        answer = stats(port)
        rows += answer["rows"]
        if answer["received"] >= total or time.time() > deadline:
            return rows, answer
        time.sleep(0.05)


def process_cpu_seconds(pid):
    """User + system CPU seconds of a process so far (from /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, p):
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, int(-(-len(values) * p // 1)) - 1))
    return values[index]


def main():
    out = os.path.abspath(args.out)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    with open(out + "/rule.yml", "w") as f:
        f.write(RULE)
    receiver_port, server_port = free_port(), free_port()
    with open(out + "/hydrant.yaml", "w") as f:
        f.write(f"""server: {{listen: "127.0.0.1:{server_port}"}}
storage: {{dir: {out}/storage}}
streams:
  - name: bench
    buffering: {{size_mb: 1, interval_s: 0}}
    processors:
      - detect: {{rules: [{out}/rule.yml]}}
    destination:
      file: {{root: {out}/lake}}
alerts:
  outbox_dir: {out}/outbox
  webhooks:
    - name: bench
      url: "http://127.0.0.1:{receiver_port}/"
      secret_env: BENCH_ALERTS_SECRET
      throttle_seconds: 0
      max_concurrency: {args.concurrency}
""")
    here = os.path.dirname(os.path.abspath(__file__))
    receiver = subprocess.Popen([sys.executable, here + "/alerts_receiver.py", "--port", str(receiver_port),
                                 "--secret", SECRET])
    server = None
    try:
        wait_listening(receiver_port, receiver, "the receiver")
        environment = dict(os.environ, BENCH_ALERTS_SECRET=SECRET)
        with open(out + "/serve.log", "w") as log:
            server = subprocess.Popen([args.hydrant, "serve", "--config", out + "/hydrant.yaml"], env=environment,
                                      stdout=log, stderr=subprocess.STDOUT)
        wait_listening(server_port, server, "hydrant serve")
        stream = Stream(server_port)

        # Latency: one record per put, paced.
        start = time.monotonic()
        for index in range(args.alerts):
            due = start + index / args.rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            stream.put([record(index, time.time())])
        rows, answer = wait_received(receiver_port, args.alerts, 120)
        latencies = sorted((receipt - event) * 1000 for event, receipt in rows)
        latency_received = answer["received"]

        # Throughput: batches as fast as the stream takes them.
        profiler = None
        if args.perf:
            profiler = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-p", str(server.pid), "-o", args.perf],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
        cpu_before = process_cpu_seconds(server.pid)
        first = time.time()
        sent = 0
        while sent < args.alerts:
            count = min(args.batch, args.alerts - sent)
            now = time.time()
            stream.put([record(args.alerts + sent + i, now) for i in range(count)])
            sent += count
        rows, answer = wait_received(receiver_port, 2 * args.alerts, 300)
        cpu = process_cpu_seconds(server.pid) - cpu_before
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait()
        throughput_received = answer["received"] - latency_received
        last = max((receipt for _, receipt in rows), default=time.time())
        seconds = last - first
        rate = throughput_received / seconds if seconds > 0 else 0.0
        bad = answer["bad"]
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        receiver.kill()
        receiver.wait()

    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    print(f"hydrant bench alerts (serve): {args.alerts} alerts per phase, stream buffering interval 0, "
          f"outbox under {out}/outbox")
    print(f"  latency      {latency_received} received of {args.alerts} at {args.rate:.0f}/s: "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1] if latencies else 0:.1f} ms")
    print(f"  throughput   {throughput_received} received in {seconds:.2f} s: {rate:.0f} alerts/s "
          f"(puts of {args.batch}, {args.concurrency} in flight); hydrant serve used {cpu:.2f} CPU s "
          f"({cpu * 1e6 / max(throughput_received, 1):.0f} µs per alert)")
    print(f"  not received {2 * args.alerts - latency_received - throughput_received}, {bad} bad signatures")
    print(f"RESULT p50_ms={p50:.1f} p99_ms={p99:.1f} alerts_per_s={rate:.0f} "
          f"received={latency_received + throughput_received} bad_signatures={bad}")
    if latency_received + throughput_received < 2 * args.alerts:
        sys.exit(1)


main()

/// Python programs the integration tests run (real boto3, raw sockets). Each prints one JSON object on its last line.
enum PythonPrograms {
    /// Drives every data- and control-plane call the tests check through boto3's `firehose` client.
    /// Arguments: endpoint.
    static let boto3Calls = #"""
import json, sys, base64
import boto3, botocore
from botocore.config import Config
endpoint = sys.argv[1]
client = boto3.client("firehose", endpoint_url=endpoint,
                      config=Config(retries={"max_attempts": 1, "mode": "standard"}))
out = {}
def code(call):
    try:
        call()
        return "ok"
    except botocore.exceptions.ClientError as error:
        return [error.response["Error"]["Code"], error.response["Error"].get("Message", ""),
                error.response["ResponseMetadata"]["HTTPStatusCode"]]
listed = client.list_delivery_streams()
out["list"] = listed["DeliveryStreamNames"]
out["list_more"] = listed["HasMoreDeliveryStreams"]
out["list_limit1"] = client.list_delivery_streams(Limit=1)["DeliveryStreamNames"]
described = client.describe_delivery_stream(DeliveryStreamName="network")["DeliveryStreamDescription"]
destination = described["Destinations"][0]["ExtendedS3DestinationDescription"]
out["describe"] = {"name": described["DeliveryStreamName"], "arn": described["DeliveryStreamARN"],
                   "status": described["DeliveryStreamStatus"], "version": described["VersionId"],
                   "created": described["CreateTimestamp"].timestamp(),
                   "buffering": destination["BufferingHints"], "prefix": destination["Prefix"],
                   "error_prefix": destination["ErrorOutputPrefix"], "compression": destination["CompressionFormat"]}
put = client.put_record(DeliveryStreamName="network", Record={"Data": b'{"n":0}'})
out["put_record"] = [put["RecordId"], put["Encrypted"], put["ResponseMetadata"]["RequestId"]]
records = [{"Data": json.dumps({"n": i + 1}).encode()} for i in range(500)]
batch = client.put_record_batch(DeliveryStreamName="network", Records=records)
out["batch"] = [batch["FailedPutCount"], len(batch["RequestResponses"]),
                len(set(r["RecordId"] for r in batch["RequestResponses"]))]
throttled = client.put_record_batch(DeliveryStreamName="network",
                                    Records=[{"Data": b"slow one"}, {"Data": b'{"n":501}'}, {"Data": b"slow two"}])
out["throttled"] = [throttled["FailedPutCount"], [sorted(r.keys()) for r in throttled["RequestResponses"]],
                    throttled["RequestResponses"][0].get("ErrorCode"), throttled["RequestResponses"][0].get("ErrorMessage")]
out["batch501"] = code(lambda: client.put_record_batch(DeliveryStreamName="network",
                                                        Records=[{"Data": b"x"}] * 501))
out["too_big"] = code(lambda: client.put_record(DeliveryStreamName="network", Record={"Data": b"y" * 1024001}))
out["max_size"] = code(lambda: client.put_record(DeliveryStreamName="alpha", Record={"Data": b"z" * 1024000}))
out["unknown_stream"] = code(lambda: client.put_record_batch(DeliveryStreamName="nope", Records=[{"Data": b"x"}]))
out["describe_unknown"] = code(lambda: client.describe_delivery_stream(DeliveryStreamName="nope"))
out["create"] = code(lambda: client.create_delivery_stream(DeliveryStreamName="new"))
out["tags"] = client.list_tags_for_delivery_stream(DeliveryStreamName="network")["Tags"]
print(json.dumps(out))
"""#

    /// One PutRecord with the given credentials and an optional clock skew (seconds added to botocore's clock).
    /// Arguments: endpoint, skew seconds.
    static let signedPut = #"""
import json, sys, datetime
import boto3, botocore, botocore.auth
from botocore.config import Config
endpoint, skew = sys.argv[1], float(sys.argv[2])
if skew:
    real = datetime.datetime
    class Skewed(real):
        @classmethod
        def utcnow(cls):
            return real.utcnow() + datetime.timedelta(seconds=skew)
        @classmethod
        def now(cls, tz=None):
            return real.now(tz) + datetime.timedelta(seconds=skew)
    botocore.auth.datetime.datetime = Skewed
client = boto3.client("firehose", endpoint_url=endpoint,
                      config=Config(retries={"max_attempts": 1, "mode": "standard"}))
try:
    response = client.put_record(DeliveryStreamName="network", Record={"Data": b"signed"})
    print(json.dumps({"result": "ok", "id": response["RecordId"]}))
except botocore.exceptions.ClientError as error:
    print(json.dumps({"result": error.response["Error"]["Code"], "message": error.response["Error"].get("Message", ""),
                      "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}))
"""#

    /// Sends a huge body (declared with Content-Length, or chunked without one) and reports what came back.
    /// Arguments: port, "length" | "chunked", megabytes.
    static let hugeBody = #"""
import json, socket, sys, time
port, mode, megabytes = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
total = megabytes * 1024 * 1024
sock = socket.create_connection(("127.0.0.1", port))
sock.settimeout(10)
head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: Firehose_20150804.PutRecordBatch\r\n" \
       "Content-Type: application/x-amz-json-1.1\r\n"
head += ("Content-Length: %d\r\n" % total) if mode == "length" else "Transfer-Encoding: chunked\r\n"
sock.sendall((head + "\r\n").encode())
chunk = b'{"DeliveryStreamName":"network","Records":[' + b'{"Data":"QUJD"},' * 65000
chunk = chunk[:1024 * 1024]
sent, error, started = 0, None, time.time()
try:
    while sent < total and time.time() - started < 20:
        piece = chunk if mode == "length" else (b"%x\r\n" % len(chunk)) + chunk + b"\r\n"
        sock.sendall(piece)
        sent += len(chunk)
except OSError as failure:
    error = type(failure).__name__
reply = b""
try:
    while b"\r\n\r\n" not in reply:
        data = sock.recv(65536)
        if not data:
            break
        reply += data
except OSError as failure:
    error = error or type(failure).__name__
print(json.dumps({"status_line": reply.split(b"\r\n")[0].decode(errors="replace"), "sent": sent, "error": error,
                  "seconds": time.time() - started}))
"""#

    /// Opens slow connections (headers or body trickled one byte at a time) and reports when the server closed
    /// each. Arguments: port, connections of each kind, interval between bytes, seconds to wait at most.
    static let slowLoris = #"""
import json, socket, sys, threading, time
port, count, interval, limit = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
results = {"headers": [], "body": []}
def slow(kind):
    started = time.time()
    sock = socket.create_connection(("127.0.0.1", port))
    if kind == "body":
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Firehose_20150804.PutRecord\r\n"
                     b"Content-Length: 100000\r\n\r\n")
    else:
        sock.sendall(b"POST / HTTP/1.1\r\n")
    closed = None
    try:
        while time.time() - started < limit:
            sock.sendall(b"x" if kind == "body" else b"X-Slow: y\r\n")
            sock.settimeout(interval)
            try:
                if sock.recv(65536) == b"":
                    closed = time.time() - started
                    break
            except socket.timeout:
                pass
    except OSError:
        closed = time.time() - started
    results[kind].append(closed)
threads = [threading.Thread(target=slow, args=(kind,)) for kind in ("headers", "body") for _ in range(count)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(json.dumps(results))
"""#
}

"""Real Firehose and S3 clients (boto3) driving `hydrant serve` in the CLI integration tests.

Subcommands print one JSON document on stdout so the Swift tests can assert on it:
  api ENDPOINT STREAM            every API call the issue names, with what boto3 answered
  load ENDPOINT STREAM ACKED     PutRecordBatch as fast as possible until killed; appends acknowledged ids to ACKED
  archive DIR                    ids of records found in a file archive (every object decompressed)
  s3-archive ENDPOINT BUCKET     the same for an S3 bucket, with keys
"""
import base64, gzip, json, os, sys, time, uuid

def firehose(endpoint, retries=1):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "firehose", endpoint_url=endpoint, region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        config=Config(retries={"max_attempts": retries, "mode": "standard"}, connect_timeout=5, read_timeout=30,
                      parameter_validation=os.environ.get("BOTO_VALIDATE", "1") == "1"))

def record(record_id, dataset="test.api", pad=0, extra=None):
    body = {"@timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()), "event": {"dataset": dataset},
            "id": record_id}
    if extra:
        body.update(extra)
    if pad:
        body["pad"] = "x" * pad
    return json.dumps(body, separators=(",", ":")).encode()

def error_of(call):
    try:
        return {"ok": True, "response": call()}
    except Exception as error:  # boto3 raises ClientError or ParamValidationError
        response = getattr(error, "response", None) or {}
        return {"ok": False, "class": type(error).__name__,
                "code": response.get("Error", {}).get("Code"),
                "status": response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
                "message": str(error)[:300]}

def api(endpoint, stream):
    client = firehose(endpoint)
    out = {"put_ids": []}
    out["list"] = client.list_delivery_streams()["DeliveryStreamNames"]
    description = client.describe_delivery_stream(DeliveryStreamName=stream)["DeliveryStreamDescription"]
    out["describe"] = {"name": description["DeliveryStreamName"], "status": description["DeliveryStreamStatus"],
                       "arn": description["DeliveryStreamARN"]}
    single = str(uuid.uuid4())
    response = client.put_record(DeliveryStreamName=stream, Record={"Data": record(single)})
    out["put_record_id"] = response["RecordId"]
    out["put_ids"].append(single)
    ids = [str(uuid.uuid4()) for _ in range(500)]
    response = client.put_record_batch(DeliveryStreamName=stream, Records=[{"Data": record(i)} for i in ids])
    out["batch_failed"] = response["FailedPutCount"]
    out["batch_record_ids"] = [entry.get("RecordId") for entry in response["RequestResponses"]]
    out["put_ids"].extend(i for i, entry in zip(ids, response["RequestResponses"]) if "RecordId" in entry)
    too_many = [{"Data": record(str(uuid.uuid4()))} for _ in range(501)]
    out["batch_501"] = error_of(lambda: client.put_record_batch(DeliveryStreamName=stream, Records=too_many))
    huge = b"x" * 1_024_001
    out["huge_record"] = error_of(lambda: client.put_record(DeliveryStreamName=stream, Record={"Data": huge}))
    out["unknown_stream"] = error_of(lambda: client.put_record(DeliveryStreamName="no-such-stream",
                                                               Record={"Data": b"{}"}))
    print(json.dumps(out))

def load(endpoint, stream, acked_path):
    client = firehose(endpoint)
    with open(acked_path, "a") as acked:
        while True:
            ids = [str(uuid.uuid4()) for _ in range(500)]
            try:
                response = client.put_record_batch(DeliveryStreamName=stream,
                                                   Records=[{"Data": record(i, "test.load", 200)} for i in ids])
            except Exception:
                time.sleep(0.05)
                continue
            good = [i for i, entry in zip(ids, response["RequestResponses"]) if "RecordId" in entry]
            if good:
                acked.write("\n".join(good) + "\n")
                acked.flush()

def ids_in(body, name):
    if name.endswith(".gz"):
        body = gzip.decompress(body)
    elif name.endswith(".zst"):
        import zstandard
        body = zstandard.ZstdDecompressor().decompressobj().decompress(body)
    found = []
    for line in body.splitlines():
        if not line.strip():
            continue
        try:
            document = json.loads(line)
        except ValueError:
            found.append({"unparsable": line[:80].decode(errors="replace")})
            continue
        found.append(document.get("id") or document)
    return found

def archive(root):
    objects = {}
    for directory, _, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as handle:
                objects[os.path.relpath(path, root)] = ids_in(handle.read(), name)
    print(json.dumps(objects))

def s3_archive(endpoint, bucket):
    import boto3
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    objects = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
            objects[entry["Key"]] = ids_in(body, entry["Key"])
    print(json.dumps(objects))

if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    {"api": api, "load": load, "archive": archive, "s3-archive": s3_archive}[command](*arguments)

"""boto3 clients for the `hydrant serve` tests with an S3 destination (ServeS3Tests.swift).

Firehose calls go to ENDPOINT (any credentials); S3 calls use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the
environment (the test passes SeaweedFS's). Each subcommand prints one JSON document on stdout:
  put-datasets ENDPOINT STREAM         records of several datasets and event times: {id: {line, prefix}}
  put-large ENDPOINT STREAM MIB        ~MIB MiB of ~10 KB records with random padding: {ids, bytes}
  put-hostile ENDPOINT STREAM...       the same hostile and good records to every STREAM: {good: [ids], bad: {id: line}}
  s3-objects ENDPOINT BUCKET           {key: {lines, etag, size}}, bodies decompressed by extension
  s3-wait ENDPOINT BUCKET ACKED SECS   polls until every id in ACKED is in the bucket: counts and missing
  sample-metrics URL STREAM OUT        appends one JSON line of the stream's metrics to OUT every second, forever
"""
import base64, gzip, json, os, re, sys, time, urllib.request, uuid


def firehose(endpoint):
    import boto3
    from botocore.config import Config
    return boto3.client("firehose", endpoint_url=endpoint, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5,
                                      read_timeout=60))


def s3(endpoint):
    import boto3
    from botocore.config import Config
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3},
                                      connect_timeout=5, read_timeout=60))


def dumps(document):
    return json.dumps(document, separators=(",", ":"))


def put_all(client, stream, lines):
    """PutRecordBatch in batches under 500 records and 4 MiB; retries entries the server failed."""
    pending = list(lines)
    attempts = 0
    while pending:
        attempts += 1
        if attempts > 50:
            raise SystemExit("records still failing after 50 attempts")
        batch, size, rest = [], 0, []
        for line in pending:
            if len(batch) < 500 and size + len(line) < 3_500_000:
                batch.append(line)
                size += len(line)
            else:
                rest.append(line)
        response = client.put_record_batch(DeliveryStreamName=stream, Records=[{"Data": b} for b in batch])
        failed = [line for line, entry in zip(batch, response["RequestResponses"]) if "RecordId" not in entry]
        if failed:
            time.sleep(0.2)
        pending = failed + rest


def put_datasets(endpoint, stream):
    client = firehose(endpoint)
    now = time.time()
    times = [
        time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now)),
        "2024-02-29T23:59:59.123Z",  # leap day, last second of an hour
        "2023-07-04T05:06:07+02:00",  # an offset: the partition is the UTC hour, 03
    ]
    utc = [time.strftime("%Y-%m-%d %H", time.gmtime(now)), "2024-02-29 23", "2023-07-04 03"]
    out = {}
    lines = []
    for dataset in ["zeek.conn", "suricata.eve", "hydrant.flow"]:
        for stamp, hour in zip(times, utc):
            day, hh = hour.split(" ")
            for index in range(60):
                record_id = str(uuid.uuid4())
                line = dumps({"@timestamp": stamp, "event": {"dataset": dataset}, "id": record_id, "n": index,
                              "text": "caf\u00e9 \"quoted\" \\ tab\t"})
                out[record_id] = {"line": line, "prefix": "%s/dt=%s/hour=%s/" % (dataset, day, hh)}
                lines.append(line.encode())
    # Two through PutRecord, the rest through PutRecordBatch.
    for line in lines[:2]:
        client.put_record(DeliveryStreamName=stream, Record={"Data": line})
    put_all(client, stream, lines[2:])
    print(dumps(out))


def put_large(endpoint, stream, mebibytes):
    client = firehose(endpoint)
    target = int(float(mebibytes) * 1024 * 1024)
    ids, lines, total = [], [], 0
    while total < target:
        record_id = str(uuid.uuid4())
        line = dumps({"@timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                      "event": {"dataset": "bulk.large"}, "id": record_id,
                      "pad": os.urandom(5000).hex()}).encode()
        ids.append(record_id)
        lines.append(line)
        total += len(line) + 1
    put_all(client, stream, lines)
    print(dumps({"ids": ids, "bytes": total}))


def put_hostile(endpoint, *streams):
    client = firehose(endpoint)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    good, bad, lines = [], {}, []

    def add(dataset_json, is_good):
        record_id = str(uuid.uuid4())
        line = '{"@timestamp":"%s","event":{"dataset":%s},"id":"%s"}' % (stamp, dataset_json, record_id)
        (good.append(record_id) if is_good else bad.__setitem__(record_id, line))
        lines.append(line.encode())

    hostile = ['"../../etc"', '"a/b"', '""', json.dumps("d" * 10_240), '".."', '"."', '"a\\\\b"',
               '"..\\u002f..\\u002fetc"', '"x\\u0000y"', '"line\\nbreak"', '"%s"' % ("../" * 40 + "etc/passwd"),
               "null", "{}", "[]"]
    for dataset in hostile:
        add(dataset, False)
    for index in range(10):
        add('"good.dataset"', True)
    for stream in streams:
        put_all(client, stream, lines)
    print(dumps({"good": good, "bad": bad}))


def decompress(body, key):
    if key.endswith(".gz"):
        return gzip.decompress(body)
    if key.endswith(".zst"):
        import zstandard
        return zstandard.ZstdDecompressor().decompressobj().decompress(body)
    return body


def objects_of(client, bucket):
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys.extend((entry["Key"], entry["Size"]) for entry in page.get("Contents", []))
    return keys


def s3_objects(endpoint, bucket):
    client = s3(endpoint)
    out = {}
    for key, size in objects_of(client, bucket):
        head = client.head_object(Bucket=bucket, Key=key)
        body = decompress(client.get_object(Bucket=bucket, Key=key)["Body"].read(), key)
        out[key] = {"lines": [line.decode() for line in body.splitlines()], "etag": head["ETag"], "size": size}
    print(dumps(out))


def s3_wait(endpoint, bucket, acked_path, seconds):
    acked = set()
    with open(acked_path) as handle:
        for line in handle:
            line = line.strip()
            if len(line) == 36:  # a line cut short by killing the client is not an acknowledged id
                acked.add(line)
    client = s3(endpoint)
    counts, seen = {}, set()
    deadline = time.time() + float(seconds)
    while True:
        for key, _ in objects_of(client, bucket):
            if key in seen:
                continue
            body = decompress(client.get_object(Bucket=bucket, Key=key)["Body"].read(), key)
            seen.add(key)
            for line in body.splitlines():
                try:
                    record_id = json.loads(line).get("id")
                except ValueError:
                    record_id = None
                if record_id:
                    counts[record_id] = counts.get(record_id, 0) + 1
        missing = acked.difference(counts)
        if not missing or time.time() > deadline:
            break
        time.sleep(0.5)
    print(dumps({"acknowledged": len(acked), "delivered": sum(1 for i in acked if i in counts),
                 "duplicates": sum(c - 1 for c in counts.values() if c > 1), "missing": len(missing),
                 "unexpected": sum(1 for i in counts if i not in acked), "objects": len(seen),
                 "missing_sample": sorted(missing)[:5]}))


def sample_metrics(url, stream, out_path):
    wanted = {"firehose_DeliveryToS3_DataFreshness": "freshness", "hydrant_backlog_bytes": "backlog",
              "hydrant_delivery_failures_total": "failures", "firehose_ThrottledRecords": "throttled",
              "firehose_DeliveryToS3_Records": "delivered"}
    pattern = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?\s+(\S+)')
    label = 'stream="%s"' % stream
    with open(out_path, "a") as out:
        while True:
            started = time.time()
            sample = {"t": started}
            try:
                text = urllib.request.urlopen(url, timeout=2).read().decode()
                for line in text.splitlines():
                    match = pattern.match(line)
                    if not match or match.group(1) not in wanted or label not in (match.group(2) or ""):
                        continue
                    sample[wanted[match.group(1)]] = float(match.group(3))
            except Exception as error:
                sample["error"] = str(error)[:200]
            out.write(dumps(sample) + "\n")
            out.flush()
            time.sleep(max(0.0, 1.0 - (time.time() - started)))


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    {"put-datasets": put_datasets, "put-large": put_large, "put-hostile": put_hostile, "s3-objects": s3_objects,
     "s3-wait": s3_wait, "sample-metrics": sample_metrics}[command](*arguments)

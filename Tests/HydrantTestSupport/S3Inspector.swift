import Foundation

/// An independent S3 client for verifying what Hydrant stored: boto3, run as a `python3` subprocess, so tests check
/// objects through a real, unrelated implementation of the protocol rather than through our own code.
public struct S3Inspector: Sendable {
    /// The service's base URL, e.g. `http://127.0.0.1:8333`.
    public let endpoint: String
    /// The access key id.
    public let accessKey: String
    /// The secret access key.
    public let secretKey: String
    /// The signing region.
    public let region: String

    /// Why a boto3 call failed.
    public struct Failure: Error, CustomStringConvertible {
        /// The operation, boto3's exit status and the tail of its stderr.
        public let description: String
    }

    /// An inspector for the service at `endpoint` with these credentials.
    public init(endpoint: String, accessKey: String, secretKey: String, region: String = "us-east-1") {
        self.endpoint = endpoint
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.region = region
    }

    /// Creates `bucket`; a bucket that already exists and is ours counts as created.
    public func createBucket(_ bucket: String) throws {
        _ = try run(["op": "createBucket", "bucket": bucket])
    }

    /// Every key in `bucket` under `prefix`, sorted.
    public func listKeys(bucket: String, prefix: String = "") throws -> [String] {
        let result = try run(["op": "list", "bucket": bucket, "prefix": prefix])
        return (result["keys"] as? [String] ?? []).sorted()
    }

    /// The body of the object `key` in `bucket`.
    public func object(bucket: String, key: String) throws -> [UInt8] {
        let result = try run(["op": "get", "bucket": bucket, "key": key])
        return try Self.decode(result["body"], what: "\(bucket)/\(key)")
    }

    /// Every object in `bucket` under `prefix`, key to body.
    public func objects(bucket: String, prefix: String = "") throws -> [String: [UInt8]] {
        let result = try run(["op": "getAll", "bucket": bucket, "prefix": prefix])
        var out: [String: [UInt8]] = [:]
        for (key, value) in result["objects"] as? [String: Any] ?? [:] {
            out[key] = try Self.decode(value, what: "\(bucket)/\(key)")
        }
        return out
    }

    /// The ETag S3 reports for `key` (a multipart object's ends in `-<part count>`).
    public func etag(bucket: String, key: String) throws -> String {
        let result = try run(["op": "etag", "bucket": bucket, "key": key])
        return result["etag"] as? String ?? ""
    }

    /// Whether `bucket` exists (HEAD bucket answers 2xx).
    public func bucketExists(_ bucket: String) throws -> Bool {
        let result = try run(["op": "bucketExists", "bucket": bucket])
        return result["exists"] as? Bool ?? false
    }

    /// Multipart uploads started in `bucket` and neither completed nor aborted (their keys).
    public func pendingMultipartUploads(bucket: String) throws -> [String] {
        let result = try run(["op": "uploads", "bucket": bucket])
        return (result["keys"] as? [String] ?? []).sorted()
    }

    /// Tries, for up to `seconds`, until `bucket` can be created and an object put into it and read back: the
    /// store is then fully serving (after a restart SeaweedFS answers before its volumes are back).
    /// Returns whether it became ready.
    public func waitUntilWritable(bucket: String, seconds: Double) throws -> Bool {
        let result = try run(["op": "waitWritable", "bucket": bucket, "seconds": seconds])
        return result["ready"] as? Bool ?? false
    }

    private static func decode(_ value: Any?, what: String) throws -> [UInt8] {
        guard let text = value as? String, let data = Data(base64Encoded: text) else {
            throw Failure(description: "boto3 returned no readable body for \(what)")
        }
        return [UInt8](data)
    }

    /// Runs the boto3 script with `arguments` (plus the connection settings) and parses its JSON output.
    private func run(_ arguments: [String: Any]) throws -> [String: Any] {
        var request = arguments
        request["endpoint"] = endpoint
        request["accessKey"] = accessKey
        request["secretKey"] = secretKey
        request["region"] = region
        let argument = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)

        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("s3-inspector-\(getpid())-\(UInt64.random(in: .min ... .max))")
        let outPath = scratch.path + ".out", errPath = scratch.path + ".err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, argument]
        process.standardInput = FileHandle.nullDevice
        // Files rather than pipes: a large body would fill a pipe and deadlock the wait.
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw Failure(description: "cannot create scratch files for boto3 output")
        }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let operation = arguments["op"] as? String ?? "?"
        let stderr = String(decoding: (FileManager.default.contents(atPath: errPath) ?? Data()).suffix(3000),
                            as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "boto3 \(operation) failed (exit \(process.terminationStatus)):\n\(stderr)")
        }
        let output = FileManager.default.contents(atPath: outPath) ?? Data()
        guard let parsed = try? JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            throw Failure(description: "boto3 \(operation) printed no JSON object:\n\(stderr)")
        }
        return parsed
    }

    /// The Python side: one operation per run, arguments as one JSON document, result as one JSON object.
    private static let script = #"""
import base64, json, sys, time
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

a = json.loads(sys.argv[1])
s3 = boto3.client("s3", endpoint_url=a["endpoint"], aws_access_key_id=a["accessKey"],
                  aws_secret_access_key=a["secretKey"], region_name=a["region"],
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                                connect_timeout=5, read_timeout=60))

def create(bucket):
    try:
        s3.create_bucket(Bucket=bucket)
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise

def keys(bucket, prefix):
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        out.extend(o["Key"] for o in page.get("Contents", []))
    return out

def body(bucket, key):
    return base64.b64encode(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).decode("ascii")

op = a["op"]
if op == "createBucket":
    create(a["bucket"]); result = {}
elif op == "list":
    result = {"keys": keys(a["bucket"], a["prefix"])}
elif op == "get":
    result = {"body": body(a["bucket"], a["key"])}
elif op == "getAll":
    result = {"objects": {k: body(a["bucket"], k) for k in keys(a["bucket"], a["prefix"])}}
elif op == "etag":
    result = {"etag": s3.head_object(Bucket=a["bucket"], Key=a["key"])["ETag"]}
elif op == "bucketExists":
    try:
        s3.head_bucket(Bucket=a["bucket"]); result = {"exists": True}
    except ClientError as e:
        if e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404:
            raise
        result = {"exists": False}
elif op == "uploads":
    uploads = s3.list_multipart_uploads(Bucket=a["bucket"]).get("Uploads", [])
    result = {"keys": [u["Key"] for u in uploads]}
elif op == "waitWritable":
    deadline = time.time() + a["seconds"]
    result = {"ready": False}
    while time.time() < deadline:
        try:
            create(a["bucket"])
            s3.put_object(Bucket=a["bucket"], Key="ready-probe", Body=b"ready")
            if s3.get_object(Bucket=a["bucket"], Key="ready-probe")["Body"].read() == b"ready":
                result = {"ready": True}
                break
        except Exception:
            pass
        time.sleep(0.25)
else:
    raise SystemExit("unknown operation " + op)
print(json.dumps(result))
"""#
}

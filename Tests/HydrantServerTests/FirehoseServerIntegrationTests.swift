import Foundation
import HydrantServer
import Testing

/// The server in this process, driven by real boto3, the real AWS CLI and raw sockets.
@Suite("Firehose server with boto3, the AWS CLI and hostile clients", .serialized)
struct FirehoseServerIntegrationTests {
    @Test("boto3: list, describe, put_record, put_record_batch, limits, unknown stream, throttling")
    func boto3() async throws {
        let server = try await ServerHarness()
        defer { Task { await server.stop() } }
        let output = try await runPython(PythonPrograms.boto3Calls, [server.endpoint])
        let result = try lastJSONObject(output)

        #expect(result["list"] as? [String] == ["alpha", "network"])
        #expect(result["list_more"] as? Bool == false)
        #expect(result["list_limit1"] as? [String] == ["alpha"])
        let describe = try #require(result["describe"] as? [String: Any])
        #expect(describe["name"] as? String == "network")
        #expect(describe["arn"] as? String == "arn:aws:firehose:us-east-1:000000000000:deliverystream/network")
        #expect(describe["status"] as? String == "ACTIVE")
        #expect(describe["version"] as? String == "1")
        #expect(describe["created"] as? Double == 1_700_000_000.25)
        #expect(describe["buffering"] as? [String: Int] == ["SizeInMBs": 8, "IntervalInSeconds": 60])
        #expect(describe["prefix"] as? String == "logs/!{timestamp:yyyy/MM/dd}/")
        #expect(describe["compression"] as? String == "GZIP")

        let putRecord = try #require(result["put_record"] as? [Any])
        #expect(putRecord[0] as? String == "id-1")
        #expect(putRecord[1] as? Bool == false)
        #expect((putRecord[2] as? String)?.count == 36)
        #expect(result["batch"] as? [Int] == [0, 500, 500])
        let throttled = try #require(result["throttled"] as? [Any])
        #expect(throttled[0] as? Int == 2)
        #expect(throttled[1] as? [[String]] == [["ErrorCode", "ErrorMessage"], ["RecordId"], ["ErrorCode", "ErrorMessage"]])
        #expect(throttled[2] as? String == "ServiceUnavailableException")
        #expect(throttled[3] as? String == "Slow down.")

        let batch501 = try #require(result["batch501"] as? [Any])
        #expect(batch501[0] as? String == "ValidationException")
        #expect((batch501[1] as? String)?.contains("less than or equal to 500") == true)
        #expect(batch501[2] as? Int == 400)
        let tooBig = try #require(result["too_big"] as? [Any])
        #expect(tooBig[0] as? String == "ValidationException")
        #expect((tooBig[1] as? String)?.contains("1024000") == true)
        #expect(result["max_size"] as? String == "ok")
        let unknown = try #require(result["unknown_stream"] as? [Any])
        #expect(unknown[0] as? String == "ResourceNotFoundException")
        #expect(unknown[2] as? Int == 400)
        #expect((result["describe_unknown"] as? [Any])?.first as? String == "ResourceNotFoundException")
        #expect((result["create"] as? [Any])?.first as? String == "InvalidArgumentException")
        #expect((result["tags"] as? [Any])?.isEmpty == true)

        // Every record boto3 put is stored once, in order, with its bytes intact.
        let stored = server.ingest.records(of: "network").map { String(decoding: $0, as: UTF8.self) }
        let expected = ["{\"n\":0}"] + (1...500).map { "{\"n\": \($0)}" } + ["{\"n\":501}"]
        #expect(stored == expected)
        #expect(server.ingest.records(of: "alpha").map(\.count) == [1_024_000])
    }

    @Test("the AWS CLI lists, describes and puts records unchanged")
    func awsCLI() async throws {
        let server = try await ServerHarness()
        defer { Task { await server.stop() } }
        let environment = awsEnvironment()
        let list = try await runProcess(["aws", "firehose", "list-delivery-streams", "--endpoint-url", server.endpoint,
                                         "--output", "json"], environment: environment)
        #expect(list.status == 0, "\(list.stderr)")
        let listed = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
        #expect(listed?["DeliveryStreamNames"] as? [String] == ["alpha", "network"])

        let describe = try await runProcess(["aws", "firehose", "describe-delivery-stream", "--delivery-stream-name",
                                             "network", "--endpoint-url", server.endpoint, "--output", "json"],
                                            environment: environment)
        #expect(describe.status == 0, "\(describe.stderr)")
        #expect(describe.stdout.contains("\"DeliveryStreamStatus\": \"ACTIVE\""))

        let put = try await runProcess(["aws", "firehose", "put-record", "--delivery-stream-name", "network",
                                        "--record", "Data=hello-from-cli", "--endpoint-url", server.endpoint,
                                        "--output", "json"], environment: environment)
        #expect(put.status == 0, "\(put.stderr)")
        #expect(put.stdout.contains("\"RecordId\": \"id-1\""))

        let batch = try await runProcess(["aws", "firehose", "put-record-batch", "--delivery-stream-name", "network",
                                          "--records", #"[{"Data":"one"},{"Data":"two"}]"#, "--endpoint-url", server.endpoint,
                                          "--output", "json"], environment: environment)
        #expect(batch.status == 0, "\(batch.stderr)")
        #expect(batch.stdout.contains("\"FailedPutCount\": 0"))
        #expect(server.ingest.records(of: "network").map { String(decoding: $0, as: UTF8.self) }
            == ["hello-from-cli", "one", "two"])

        let missing = try await runProcess(["aws", "firehose", "put-record", "--delivery-stream-name", "nope",
                                            "--record", "Data=x", "--endpoint-url", server.endpoint],
                                           environment: environment)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("ResourceNotFoundException"))
    }

    @Test("SigV4: the right secret is accepted; a wrong secret, an unknown key and a skewed clock are refused")
    func signatures() async throws {
        let server = try await ServerHarness(secrets: ["hydrant": "right-secret"])
        defer { Task { await server.stop() } }
        func put(key: String, secret: String, skew: Int) async throws -> [String: Any] {
            try lastJSONObject(try await runPython(PythonPrograms.signedPut, [server.endpoint, String(skew)],
                                                   secret: secret, accessKey: key))
        }
        let right = try await put(key: "hydrant", secret: "right-secret", skew: 0)
        #expect(right["result"] as? String == "ok")
        let wrong = try await put(key: "hydrant", secret: "wrong-secret", skew: 0)
        #expect(wrong["result"] as? String == "InvalidSignatureException")
        #expect(wrong["status"] as? Int == 400)
        let unknown = try await put(key: "stranger", secret: "right-secret", skew: 0)
        #expect(unknown["result"] as? String == "UnrecognizedClientException")
        let late = try await put(key: "hydrant", secret: "right-secret", skew: -600)
        #expect(late["result"] as? String == "InvalidSignatureException")
        #expect((late["message"] as? String)?.contains("Signature expired") == true)
        let early = try await put(key: "hydrant", secret: "right-secret", skew: 600)
        #expect(early["result"] as? String == "InvalidSignatureException")
        let slightly = try await put(key: "hydrant", secret: "right-secret", skew: -120)
        #expect(slightly["result"] as? String == "ok")
        #expect(server.ingest.records(of: "network").count == 2)
    }

    @Test("a 100 MB body is refused without being buffered, declared or chunked; the server keeps serving")
    func hugeBody() async throws {
        let server = try await ServerHarness()
        defer { Task { await server.stop() } }
        let before = residentBytes()
        for mode in ["length", "chunked"] {
            let output = try await runProcess(["python3", "-c", PythonPrograms.hugeBody, String(server.port), mode, "100"])
            let result = try lastJSONObject(output)
            let statusLine = result["status_line"] as? String ?? ""
            let sent = result["sent"] as? Int ?? 0
            // Either the 413 arrived, or the connection was cut before the client could push everything.
            #expect(statusLine.hasPrefix("HTTP/1.1 413") || sent < 100 * 1024 * 1024, "\(mode): \(result)")
            #expect(statusLine.isEmpty || statusLine.hasPrefix("HTTP/1.1 413"), "\(mode): \(result)")
        }
        let grown = residentBytes() - before
        #expect(grown < 60 * 1024 * 1024, "RSS grew by \(grown / 1_048_576) MiB")
        let after = try await runPython(PythonPrograms.signedPut, [server.endpoint, "0"])
        #expect(try lastJSONObject(after)["result"] as? String == "ok")
    }

    @Test("slow-loris connections are closed by the timeouts and do not block other clients")
    func slowLoris() async throws {
        let limits = FirehoseLimits(bodyReadTimeoutSeconds: 3, idleTimeoutSeconds: 2)
        let server = try await ServerHarness(limits: limits)
        defer { Task { await server.stop() } }
        async let slow = runProcess(["python3", "-c", PythonPrograms.slowLoris, String(server.port), "20", "0.5", "10"])
        try await Task.sleep(for: .milliseconds(700))
        let started = ContinuousClock.now
        let normal = try await runPython(PythonPrograms.signedPut, [server.endpoint, "0"])
        let elapsed = ContinuousClock.now - started
        #expect(try lastJSONObject(normal)["result"] as? String == "ok")
        #expect(elapsed < .seconds(5), "a normal put took \(elapsed) beside 40 slow connections")
        let result = try lastJSONObject(try await slow)
        let headerCloses = (result["headers"] as? [Any] ?? []).map { $0 as? Double }
        let bodyCloses = (result["body"] as? [Any] ?? []).map { $0 as? Double }
        #expect(headerCloses.count == 20 && headerCloses.allSatisfy { ($0 ?? 99) < 6 }, "\(headerCloses)")
        #expect(bodyCloses.count == 20 && bodyCloses.allSatisfy { ($0 ?? 99) < 7 }, "\(bodyCloses)")
    }

    @Test("a saturated stream answers 503 ServiceUnavailableException; /health follows it; /metrics shows the registry")
    func saturationHealthMetrics() async throws {
        let server = try await ServerHarness()
        defer { Task { await server.stop() } }
        let counter = server.registry.makeCounter(descriptor: .init(metricName: "firehose_IncomingRecords"), labels: [("stream", "network")])
        counter.increment(by: Int64(42))

        let healthy = try await httpGet(server.port, "/health")
        #expect(healthy.status == 200)
        #expect(healthy.body.contains("\"network\":\"ok\""))
        let metrics = try await httpGet(server.port, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("firehose_IncomingRecords{stream=\"network\"} 42"))

        server.ingest.setSaturated(true)
        let refused = try lastJSONObject(try await runPython(PythonPrograms.signedPut, [server.endpoint, "0"]))
        #expect(refused["result"] as? String == "ServiceUnavailableException")
        #expect(refused["status"] as? Int == 503)
        let unhealthy = try await httpGet(server.port, "/health")
        #expect(unhealthy.status == 503)
        server.ingest.setSaturated(false)

        let unknownTarget = try await httpPost(server.port, target: "Firehose_20150804.Explode", body: "{}")
        #expect(unknownTarget.status == 400)
        #expect(unknownTarget.headers["x-amzn-errortype"] == "UnknownOperationException")
        #expect(unknownTarget.body.contains("\"__type\":\"UnknownOperationException\""))
        let malformed = try await httpPost(server.port, target: "Firehose_20150804.PutRecordBatch", body: "{\"Records\":[")
        #expect(malformed.status == 400)
        #expect(malformed.headers["x-amzn-errortype"] == "SerializationException")
        #expect(malformed.headers["x-amzn-requestid"]?.count == 36)
    }
}

/// A parsed HTTP response.
struct SimpleResponse {
    let status: Int
    let headers: [String: String]
    let body: String
}

/// GET `path` with Python's http.client (no proxies, no retries).
func httpGet(_ port: Int, _ path: String) async throws -> SimpleResponse {
    try await httpRequest(port, method: "GET", path: path, target: nil, body: "")
}

/// POST `body` to `/` with `X-Amz-Target: target`.
func httpPost(_ port: Int, target: String, body: String) async throws -> SimpleResponse {
    try await httpRequest(port, method: "POST", path: "/", target: target, body: body)
}

private func httpRequest(_ port: Int, method: String, path: String, target: String?, body: String) async throws -> SimpleResponse {
    let program = #"""
import http.client, json, sys
port, method, path, target, body = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
headers = {"Content-Type": "application/x-amz-json-1.1"}
if target: headers["X-Amz-Target"] = target
connection.request(method, path, body=body.encode() if method == "POST" else None, headers=headers)
response = connection.getresponse()
print(json.dumps({"status": response.status, "headers": {k.lower(): v for k, v in response.getheaders()},
                  "body": response.read().decode()}))
"""#
    let output = try await runProcess(["python3", "-c", program, String(port), method, path, target ?? "", body])
    let object = try lastJSONObject(output)
    return SimpleResponse(status: object["status"] as? Int ?? 0, headers: object["headers"] as? [String: String] ?? [:],
                          body: object["body"] as? String ?? "")
}

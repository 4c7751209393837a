import Foundation
import HydrantTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `hydrant serve` end to end: real boto3 and AWS CLI clients, the real delivery-stream runtime, the archive read
/// back independently.
@Suite("hydrant serve", .serialized)
struct ServeCommandTests {
    static let fileConfig = """
        server:
          listen: 127.0.0.1:PORT
        storage:
          dir: ./wal
        streams:
          - name: network
            buffering: {size_mb: 1, interval_s: 1}
            destination:
              file: {root: ./lake}
            compression: gzip
        """

    /// Waits until every id of `ids` is in the archive under `root`; returns how often each id was found.
    static func waitForArchive(_ root: String, ids: Set<String>, timeout: Double = 30) throws -> [String: Int] {
        let deadline = Date().addingTimeInterval(timeout)
        var counts: [String: Int] = [:]
        repeat {
            counts = [:]
            for (_, records) in try Python.archive(root) {
                for case let id as String in records { counts[id, default: 0] += 1 }
            }
            if ids.isSubset(of: Set(counts.keys)) { return counts }
            usleep(250_000)
        } while Date() < deadline
        return counts
    }

    @Test("boto3: list, describe, put_record, put_record_batch, limits and errors; every record archived once")
    func boto3RoundTrip() throws {
        let serve = try ServeHarness(config: Self.fileConfig)
        try serve.start()
        let result = Python.client("api", [serve.endpoint, "network"])
        try #require(result.status == 0, "client failed: \(result.stderr)\n\(serve.logs)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(answer["list"] as? [String] == ["network"])
        let describe = answer["describe"] as? [String: String]
        #expect(describe?["name"] == "network")
        #expect(describe?["status"] == "ACTIVE")
        #expect((answer["put_record_id"] as? String)?.isEmpty == false)
        #expect(answer["batch_failed"] as? Int == 0)
        let recordIDs = (answer["batch_record_ids"] as? [String]) ?? []
        #expect(recordIDs.count == 500 && Set(recordIDs).count == 500, "RecordIds are unique")
        let batch501 = answer["batch_501"] as? [String: Any]
        #expect(batch501?["ok"] as? Bool == false, "a batch of 501 is refused: \(String(describing: batch501))")
        let huge = answer["huge_record"] as? [String: Any]
        #expect(huge?["ok"] as? Bool == false, "a 1,024,001-byte record is refused")
        // AWS answers model-constraint violations of awsJson services with ValidationException.
        #expect(huge?["code"] as? String == "ValidationException", "\(String(describing: huge))")
        let unknown = answer["unknown_stream"] as? [String: Any]
        #expect(unknown?["code"] as? String == "ResourceNotFoundException")

        let put = Set((answer["put_ids"] as? [String]) ?? [])
        #expect(put.count == 501)
        let counts = try Self.waitForArchive(serve.directory + "/lake", ids: put)
        let missing = put.subtracting(counts.keys)
        #expect(missing.isEmpty, "\(missing.count) records not archived\n\(serve.logs)")
        #expect(put.allSatisfy { counts[$0] == 1 }, "every record is archived exactly once")
        let status = serve.stop(signal: SIGTERM)
        #expect(status == 0, "SIGTERM ends the server cleanly (wait status \(status))\n\(serve.logs)")
    }

    @Test("auth on: a wrong secret is refused, the right one accepted, with Firehose's error shape")
    func signatureVerification() throws {
        let config = Self.fileConfig.replacingOccurrences(of: "storage:", with: """
            auth:
              access_keys:
                - id: hydrant
                  secret_env: HYDRANT_TEST_SECRET
            storage:
            """)
        let serve = try ServeHarness(config: config, environment: ["HYDRANT_TEST_SECRET": "right-secret"])
        try serve.start()
        let script = """
            import boto3, json, sys
            from botocore.config import Config
            def put(secret):
                c = boto3.client("firehose", endpoint_url=sys.argv[1], region_name="us-east-1",
                    aws_access_key_id="hydrant", aws_secret_access_key=secret,
                    config=Config(retries={"max_attempts": 1}))
                try:
                    return {"ok": True, "id": c.put_record(DeliveryStreamName="network", Record={"Data": b'{"id":"auth"}'})["RecordId"]}
                except Exception as e:
                    r = getattr(e, "response", {}) or {}
                    return {"ok": False, "code": r.get("Error", {}).get("Code"), "status": r.get("ResponseMetadata", {}).get("HTTPStatusCode")}
            print(json.dumps({"wrong": put("wrong-secret"), "right": put("right-secret")}))
            """
        let result = Python.run(["-c", script, serve.endpoint])
        try #require(result.status == 0, "\(result.stderr)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: Any]])
        #expect(answer["wrong"]?["ok"] as? Bool == false)
        #expect(answer["wrong"]?["code"] as? String == "InvalidSignatureException", "\(answer)")
        #expect(answer["right"]?["ok"] as? Bool == true, "\(answer)\n\(serve.logs)")
    }

    @Test("the AWS CLI works unchanged against --endpoint-url")
    func awsCLI() throws {
        let serve = try ServeHarness(config: Self.fileConfig)
        try serve.start()
        let aws = ["aws", "firehose", "--endpoint-url", serve.endpoint, "--output", "json"]
        let list = Python.run(executable: "/usr/bin/env", aws + ["list-delivery-streams"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("\"network\""))
        let describe = Python.run(executable: "/usr/bin/env", aws + ["describe-delivery-stream", "--delivery-stream-name", "network"])
        #expect(describe.status == 0 && describe.stdout.contains("ACTIVE"), "\(describe.stderr)")
        let put = Python.run(executable: "/usr/bin/env", aws + ["put-record", "--delivery-stream-name", "network",
                                                                "--record", #"{"Data":"{\"event\":{\"dataset\":\"test.cli\"},\"id\":\"from-aws-cli\"}"}"#])
        #expect(put.status == 0 && put.stdout.contains("RecordId"), "\(put.stderr)")
        let counts = try Self.waitForArchive(serve.directory + "/lake", ids: ["from-aws-cli"])
        #expect(counts["from-aws-cli"] == 1, "\(serve.logs)")
    }

    @Test("kill -9 at random moments under load: every acknowledged record is archived")
    func crashUnderLoad() throws {
        let serve = try ServeHarness(config: Self.fileConfig.replacingOccurrences(of: "compression: gzip", with: "compression: none"))
        try serve.start()
        let acked = serve.directory + "/acked.txt"
        let client = try ServiceProcess(executable: "/usr/bin/env", arguments: ["python3", Python.clientScript, "load", serve.endpoint, "network", acked],
                                        environment: ["AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_DEFAULT_REGION": "us-east-1"],
                                        logPath: serve.directory + "/client.log")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            usleep(UInt32.random(in: 700_000...2_500_000, using: &generator))
            serve.stop(signal: SIGKILL)
            try serve.start()
        }
        usleep(1_000_000)
        client.stop(signal: SIGKILL)
        let ackedIDs = Set(((try? String(contentsOfFile: acked, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init))
        try #require(ackedIDs.count > 1000, "the client got records acknowledged (\(ackedIDs.count))\n\(client.logTail())")
        let counts = try Self.waitForArchive(serve.directory + "/lake", ids: ackedIDs, timeout: 60)
        let missing = ackedIDs.subtracting(counts.keys)
        let duplicates = counts.values.reduce(0) { $0 + max($1 - 1, 0) }
        print("crash test: acknowledged \(ackedIDs.count), delivered \(counts.count), duplicates \(duplicates)")
        #expect(missing.isEmpty, "\(missing.count) acknowledged records lost\n\(serve.logs.suffix(3000))")
    }
}

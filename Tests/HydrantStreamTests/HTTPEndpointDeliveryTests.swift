import Foundation
import HydrantArchive
import HydrantRecords
import HydrantTestSupport
import Testing
@testable import HydrantStream

/// A stream with `destination: {http_endpoint: …}` end to end: records put through the ingest path of
/// `DeliveryStreams` arrive at a Python receiver that validates Firehose's request as Vector's source does
/// (the receiver the HTTPEndpoint client tests use); failures are retried with the same request id, and what the
/// endpoint does not take within the retry duration lands in the backup under `http-endpoint-failed`.
@Suite(.serialized) struct HTTPEndpointDeliveryTests {
    /// The Firehose receiver script of HydrantAlertTests, one process per test.
    final class Receiver {
        let port = FreePort.pick()
        let logPath: String
        private let process: ServiceProcess

        init(in directory: ScratchDirectory, mode: String, accessKey: String) throws {
            logPath = directory.path + "/requests.jsonl"
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let script = repositoryRoot.appendingPathComponent("Tests/HydrantAlertTests/Scripts/firehose_receiver.py").path
            process = try ServiceProcess(
                executable: "/usr/bin/env",
                arguments: ["python3", script, "--port", String(port), "--access-key", accessKey, "--mode", mode,
                            "--log", logPath],
                logPath: directory.path + "/receiver.out")
            let port = self.port
            try process.waitUntilReady(timeout: 15, what: "firehose receiver") { FreePort.isListening(port) }
        }

        deinit { _ = process.stop() }

        var url: String { "http://127.0.0.1:\(port)/firehose" }

        /// Every request the receiver logged, in arrival order.
        func requests() -> [[String: Any]] { jsonLines(at: logPath) }
    }

    /// One stream `hook` with interval 0 (every routed batch is sealed at once) POSTing to `url`, backing up to
    /// `<dir>/backup`.
    static func configuration(in directory: ScratchDirectory, url: String, endpoint: String = "") throws
        -> StreamConfiguration {
        let extra = endpoint.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n")
        return try load("""
        storage: {dir: \(directory.path)/storage}
        streams:
          - name: hook
            buffering: {size_mb: 1, interval_s: 0}
            error_output_prefix: "errors/!{firehose:error-output-type}/"
            destination:
              http_endpoint:
                url: "\(url)"
                access_key_env: HOOK_KEY
                common_attributes: {env: test}
                backup: {file: {root: \(directory.path)/backup}}
        \(extra)
        """)
    }

    /// Runs `configuration`'s streams, puts `records` in batches of `batchSize` through `RecordIngest.put`, flushes
    /// and stops.
    static func run(_ configuration: StreamConfiguration, records: [String], batchSize: Int = 100) async throws {
        let streams = try DeliveryStreams(
            configuration: configuration,
            secrets: try configuration.resolveSecrets(environment: ["HOOK_KEY": "secret-key"]))
        let runner = Task { try await streams.run() }
        var start = 0
        while start < records.count {
            let outcomes = try await streams.put(batch(Array(records[start..<min(start + batchSize, records.count)])),
                                                 toStream: "hook")
            #expect(outcomes.allSatisfy { if case .accepted = $0 { true } else { false } })
            start += batchSize
        }
        await streams.flushAll()
        streams.stop()
        try await runner.value
    }

    static func records(_ count: Int) -> [String] { (0..<count).map { #"{"n":\#($0),"event":{"dataset":"t"}}"# } }

    @Test func recordsArriveAtAValidatingReceiver() async throws {
        let directory = try ScratchDirectory("http-endpoint")
        defer { directory.remove() }
        let receiver = try Receiver(in: directory, mode: "ok", accessKey: "secret-key")
        let sent = Self.records(2500)
        try await Self.run(try Self.configuration(in: directory, url: receiver.url), records: sent)
        let requests = receiver.requests()
        #expect(!requests.isEmpty)
        for request in requests {
            #expect(request["valid"] as? Bool == true, "\(request["reason"] ?? "")")
            #expect(request["attributes"] as? String == #"{"commonAttributes":{"env":"test"}}"#)
            #expect(request["encoding"] is NSNull)
        }
        // Up to four buffers are delivered at once, so requests may arrive in any order; each record exactly once.
        let received = requests.flatMap { $0["records"] as? [String] ?? [] }
        #expect(received.count == sent.count)
        #expect(Set(received) == Set(sent))
        #expect(Set(requests.compactMap { $0["request_id"] as? String }).count == requests.count)
        // FailedDataOnly: nothing is backed up when every request succeeds.
        #expect(directory.files(under: "backup").isEmpty)
    }

    @Test func gzipRequestsAndAllDataBackup() async throws {
        let directory = try ScratchDirectory("http-endpoint")
        defer { directory.remove() }
        let receiver = try Receiver(in: directory, mode: "ok", accessKey: "secret-key")
        let sent = Self.records(300)
        try await Self.run(try Self.configuration(in: directory, url: receiver.url,
                                                  endpoint: "content_encoding: gzip\nbackup_mode: AllData"),
                           records: sent)
        let requests = receiver.requests()
        #expect(requests.allSatisfy { $0["encoding"] as? String == "gzip" && $0["valid"] as? Bool == true })
        let received = requests.flatMap { $0["records"] as? [String] ?? [] }
        #expect(received.count == sent.count && Set(received) == Set(sent))
        // AllData: every batch is also in the backup, under the stream's prefix (not the error prefix).
        let files = directory.files(under: "backup")
        #expect(!files.isEmpty && files.allSatisfy { !$0.hasPrefix("errors/") })
        let backedUp = try files.flatMap { try objectContent(directory.path + "/backup/" + $0).split(separator: "\n") }
        #expect(backedUp.count == sent.count && Set(backedUp.map(String.init)) == Set(sent))
    }

    @Test func serverErrorsAreRetriedWithTheSameRequestID() async throws {
        let directory = try ScratchDirectory("http-endpoint")
        defer { directory.remove() }
        let receiver = try Receiver(in: directory, mode: "fail-first:2", accessKey: "secret-key")
        let sent = Self.records(10)
        try await Self.run(try Self.configuration(in: directory, url: receiver.url), records: sent, batchSize: 10)
        let requests = receiver.requests()
        #expect(requests.count == 3)
        #expect(Set(requests.compactMap { $0["request_id"] as? String }).count == 1)
        #expect(requests.last?["records"] as? [String] == sent)
        // Firehose's schedule: about 1 s, then about 2 s (±15 %).
        let times = requests.compactMap { $0["time"] as? Double }
        if times.count == 3 {
            #expect((0.8...1.6).contains(times[1] - times[0]), "first retry after \(times[1] - times[0]) s")
            #expect((1.6...2.8).contains(times[2] - times[1]), "second retry after \(times[2] - times[1]) s")
        }
        #expect(directory.files(under: "backup").isEmpty)
    }

    @Test func batchesAreBackedUpAfterTheRetryDuration() async throws {
        let directory = try ScratchDirectory("http-endpoint")
        defer { directory.remove() }
        let receiver = try Receiver(in: directory, mode: "fail", accessKey: "secret-key")
        let sent = Self.records(20)
        let started = ContinuousClock.now
        // 2 s: the first retry (≤ 1.15 s) fits, the second (≥ 1.7 s more) does not.
        try await Self.run(try Self.configuration(in: directory, url: receiver.url, endpoint: "retry_duration_s: 2"),
                           records: sent, batchSize: 20)
        #expect(ContinuousClock.now - started < .seconds(15))
        let requests = receiver.requests()
        #expect(requests.count == 2)
        let files = directory.files(under: "backup")
        #expect(!files.isEmpty && files.allSatisfy { $0.hasPrefix("errors/http-endpoint-failed/") }, "\(files)")
        let lines = try files.flatMap { try jsonLines(at: directory.path + "/backup/" + $0) }
        #expect(lines.count == sent.count)
        let raw = lines.compactMap { ($0["rawData"] as? String).flatMap { Data(base64Encoded: $0) } }
            .map { String(decoding: $0, as: UTF8.self) }
        #expect(raw.count == sent.count && Set(raw) == Set(sent))
        let requestID = try #require(requests.first?["request_id"] as? String)
        for line in lines {
            #expect(line["attemptsMade"] as? Int == 2)
            #expect(line["errorCode"] as? String == "HttpEndpoint.DestinationException")
            #expect((line["errorMessage"] as? String)?.contains("Unauthorized") == true)
            #expect((line["dataId"] as? String)?.hasPrefix(requestID + ".") == true)
        }
    }

    @Test func aWrongAccessKeyIsNotDelivered() async throws {
        let directory = try ScratchDirectory("http-endpoint")
        defer { directory.remove() }
        let receiver = try Receiver(in: directory, mode: "ok", accessKey: "another-key")
        try await Self.run(try Self.configuration(in: directory, url: receiver.url, endpoint: "retry_duration_s: 0"),
                           records: Self.records(5), batchSize: 5)
        #expect(receiver.requests().map { $0["reason"] as? String } == ["bad access key"])
        let files = directory.files(under: "backup")
        #expect(files.count == 1 && files.first?.hasPrefix("errors/http-endpoint-failed/") == true)
    }
}

/// Each line of the JSON-lines file at `path` as an object (lines that are not objects are skipped).
func jsonLines(at path: String) -> [[String: Any]] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    return data.split(separator: 0x0A).compactMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
}

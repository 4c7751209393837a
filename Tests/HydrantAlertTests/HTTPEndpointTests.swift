import Foundation
import HydrantRecords
import HydrantTestSupport
import Testing
@testable import HydrantAlert

/// The Firehose HTTP-endpoint destination against a Python receiver that validates the request as Vector does.
@Suite(.serialized) struct HTTPEndpointTests {
    final class Receiver {
        let port = FreePort.pick()
        let logPath: String
        private let process: ServiceProcess
        /// The receiver's scratch directory, removed with it.
        private let directory: String

        init(mode: String, accessKey: String) throws {
            let directory = try AlertFixtures.directory("firehose-receiver")
            self.directory = directory
            logPath = directory + "/requests.jsonl"
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Scripts/firehose_receiver.py").path
            process = try ServiceProcess(
                executable: "/usr/bin/env",
                arguments: ["python3", script, "--port", String(port), "--access-key", accessKey, "--mode", mode, "--log", logPath],
                logPath: directory + "/receiver.out")
            let port = self.port
            try process.waitUntilReady(timeout: 15, what: "firehose receiver") { FreePort.isListening(port) }
        }

        deinit {
            process.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }

        var url: String { "http://127.0.0.1:\(port)/firehose" }

        func requests() -> [[String: Any]] { AlertFixtures.deadLetters(at: logPath) }
    }

    static let fastRetry = RetryPolicy(initial: .milliseconds(50), maximum: .milliseconds(200), duration: .milliseconds(500))

    @Test func batchIsAcceptedByAValidatingReceiver() async throws {
        let receiver = try Receiver(mode: "ok", accessKey: "key-123")
        let configuration = try HTTPEndpointConfiguration(
            url: receiver.url, name: "vector", accessKey: "key-123", commonAttributes: ["env": "test"])
        let client = HTTPEndpointClient(configuration: configuration, retry: Self.fastRetry)
        let records = (0..<50).map { Array("{\"n\":\($0)}\n".utf8) }
        let result = try await client.deliver(records: records, requestID: "req-1")
        try await client.shutdown()
        #expect(result == .delivered(attempts: 1))
        let request = try #require(receiver.requests().first)
        #expect(request["valid"] as? Bool == true, "\(request["reason"] ?? "")")
        #expect(request["request_id"] as? String == "req-1")
        #expect(request["records"] as? [String] == records.map { String(decoding: $0, as: UTF8.self) })
        #expect(request["attributes"] as? String == #"{"commonAttributes":{"env":"test"}}"#)
    }

    @Test func gzipBodiesDecompressAtTheReceiver() async throws {
        let receiver = try Receiver(mode: "ok", accessKey: "k")
        let configuration = try HTTPEndpointConfiguration(url: receiver.url, name: "gz", accessKey: "k", contentEncoding: .gzip)
        let client = HTTPEndpointClient(configuration: configuration, retry: Self.fastRetry)
        let records = (0..<20).map { Array("record \($0) ".utf8) + Array(repeating: UInt8(ascii: "x"), count: 200) }
        let result = try await client.deliver(records: records, requestID: "req-gz", gzip: Self.gzipWithTheSystemTool)
        try await client.shutdown()
        #expect(result == .delivered(attempts: 1))
        let request = try #require(receiver.requests().first)
        #expect(request["encoding"] as? String == "gzip")
        #expect(request["valid"] as? Bool == true)
        #expect((request["records"] as? [String])?.count == 20)
    }

    @Test func failuresAreRetriedWithTheSameRequestIDThenBackedUp() async throws {
        let flaky = try Receiver(mode: "fail-first:2", accessKey: "k")
        let configuration = try HTTPEndpointConfiguration(url: flaky.url, name: "flaky", accessKey: "k")
        let client = HTTPEndpointClient(configuration: configuration, retry: Self.fastRetry)
        #expect(try await client.deliver(records: [Array("a".utf8)], requestID: "same-id") == .delivered(attempts: 3))
        try await client.shutdown()
        #expect(flaky.requests().compactMap { $0["request_id"] as? String } == ["same-id", "same-id", "same-id"])

        let failing = try Receiver(mode: "fail", accessKey: "k")
        let failingClient = HTTPEndpointClient(
            configuration: try HTTPEndpointConfiguration(url: failing.url, name: "down", accessKey: "k"), retry: Self.fastRetry)
        let records = [Array("one".utf8), Array("two".utf8)]
        let result = try await failingClient.deliver(records: records, requestID: "doomed")
        try await failingClient.shutdown()
        guard case .failed(let attempts, let code, let message) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(attempts == failing.requests().count && attempts >= 3)
        #expect(code == "HttpEndpoint.DestinationException")
        #expect(message.contains("Unauthorized"))
        let backup = HTTPEndpointBackup.jsonLines(
            records: records, requestID: "doomed", arrival: Timestamp(seconds: 1, nanoseconds: 0), attemptsMade: attempts,
            errorCode: code, errorMessage: message, failedAt: Timestamp(seconds: 2, nanoseconds: 0))
        let lines = String(decoding: backup, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["rawData"] as? String == Data("one".utf8).base64EncodedString())
        #expect(first["attemptsMade"] as? Int == attempts)
        #expect(first["arrivalTimestamp"] as? Int == 1000 && first["attemptEndingTimestamp"] as? Int == 2000)
        #expect(first["errorCode"] as? String == code)
        #expect(first["dataId"] as? String == "doomed.0")
    }

    @Test func wrongAccessKeyOrEchoIsNotSuccess() async throws {
        let receiver = try Receiver(mode: "ok", accessKey: "right")
        let client = HTTPEndpointClient(
            configuration: try HTTPEndpointConfiguration(url: receiver.url, name: "k", accessKey: "wrong"), retry: Self.fastRetry)
        let result = try await client.deliver(records: [Array("x".utf8)], requestID: "r")
        try await client.shutdown()
        guard case .failed = result else { Issue.record("a 401 must fail, got \(result)"); return }

        let echo = try Receiver(mode: "wrongid", accessKey: "k")
        let echoClient = HTTPEndpointClient(
            configuration: try HTTPEndpointConfiguration(url: echo.url, name: "e", accessKey: "k"), retry: Self.fastRetry)
        let echoed = try await echoClient.deliver(records: [Array("x".utf8)], requestID: "mine")
        try await echoClient.shutdown()
        guard case .failed(_, let code, _) = echoed else { Issue.record("a wrong echo must fail, got \(echoed)"); return }
        #expect(code == "HttpEndpoint.InvalidResponseFromDestination")

        let tooLarge = try Receiver(mode: "413", accessKey: "k")
        let tooLargeClient = HTTPEndpointClient(
            configuration: try HTTPEndpointConfiguration(url: tooLarge.url, name: "t", accessKey: "k"), retry: Self.fastRetry)
        let refused = try await tooLargeClient.deliver(records: [Array("x".utf8)], requestID: "big")
        try await tooLargeClient.shutdown()
        guard case .failed(let attempts, let tooLargeCode, let tooLargeMessage) = refused else {
            Issue.record("413 must fail, got \(refused)")
            return
        }
        // 413 is permanent: one attempt, no retry.
        #expect(attempts == 1 && tooLarge.requests().count == 1)
        #expect(tooLargeCode == "HttpEndpoint.DestinationException" && tooLargeMessage.contains("too large"))
    }

    @Test func responseContract() {
        let ok = Array(#"{"requestId":"r1","timestamp":1578090903599}"#.utf8)
        let json = [(name: "Content-Type", value: "application/json")]
        #expect(HTTPEndpointResponse.validate(status: 200, headers: json, body: ok, requestID: "r1") == .accepted)
        let stringStamp = Array(#"{"requestId":"r1","timestamp":"1578090903599"}"#.utf8)
        #expect(HTTPEndpointResponse.validate(status: 200, headers: json, body: stringStamp, requestID: "r1") == .accepted)
        func code(_ status: Int, _ headers: [(name: String, value: String)], _ body: [UInt8]) -> String? {
            if case .failed(let code, _, _) = HTTPEndpointResponse.validate(status: status, headers: headers, body: body,
                                                                            requestID: "r1") { return code }
            return nil
        }
        #expect(code(201, json, ok) == "HttpEndpoint.DestinationException")
        #expect(code(200, [], ok) == "HttpEndpoint.InvalidResponseFromDestination")
        #expect(code(200, json + [(name: "Content-Encoding", value: "gzip")], ok) == "HttpEndpoint.InvalidResponseFromDestination")
        #expect(code(200, json, Array(#"{"requestId":"r2","timestamp":1}"#.utf8)) == "HttpEndpoint.InvalidResponseFromDestination")
        #expect(code(200, json, Array(#"{"requestId":"r1"}"#.utf8)) == "HttpEndpoint.InvalidResponseFromDestination")
        #expect(code(200, json, Array("not json".utf8)) == "HttpEndpoint.InvalidResponseFromDestination")
        #expect(code(200, json, [UInt8](repeating: 0x20, count: (1 << 20) + 1)) == "HttpEndpoint.ResponseTooLarge")
        if case .failed(_, _, let retryable) = HTTPEndpointResponse.validate(status: 413, headers: json, body: ok, requestID: "r1") {
            #expect(!retryable)
        } else {
            Issue.record("413 must fail")
        }
    }

    @Test func requestLimitsAndConfiguration() throws {
        let configuration = try HTTPEndpointConfiguration(url: "http://127.0.0.1:1/", name: "n")
        #expect(throws: HTTPEndpointRequest.Failure.recordCount(0)) {
            _ = try HTTPEndpointRequest(configuration: configuration, records: [], requestID: "r", timestamp: 0)
        }
        #expect(throws: HTTPEndpointRequest.Failure.recordTooLarge(index: 1, bytes: 1_024_001)) {
            _ = try HTTPEndpointRequest(configuration: configuration, records: [[1], [UInt8](repeating: 0, count: 1_024_001)],
                                        requestID: "r", timestamp: 0)
        }
        #expect(throws: WebhookConfigurationError.self) { _ = try HTTPEndpointConfiguration(url: "x", name: "n", bufferingSizeMB: 65) }
        #expect(throws: WebhookConfigurationError.self) { _ = try HTTPEndpointConfiguration(url: "http://h/", name: "n", bufferingSizeMB: 0) }
        #expect(throws: WebhookConfigurationError.self) {
            _ = try HTTPEndpointConfiguration(url: "http://h/", name: "n", retryDuration: .seconds(7201))
        }
        let request = try HTTPEndpointRequest(configuration: configuration, records: [Array("hi".utf8)], requestID: "abc",
                                              timestamp: 1578090901599)
        #expect(String(decoding: request.body, as: UTF8.self)
            == #"{"requestId":"abc","timestamp":1578090901599,"records":[{"data":"aGk="}]}"#)
        #expect(request.headers.contains { $0.name == "X-Amz-Firehose-Protocol-Version" && $0.value == "1.0" })
        #expect(!request.headers.contains { $0.name == "X-Amz-Firehose-Access-Key" })
    }

    /// gzip(1), a real compressor independent of Hydrant's code.
    static func gzipWithTheSystemTool(_ bytes: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let writer = Thread { input.fileHandleForWriting.write(Data(bytes)); try? input.fileHandleForWriting.close() }
        writer.start()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](compressed)
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends pre-built PutRecordBatch bodies from `connections` concurrent connections, each re-sending its own body
/// and waiting for the acknowledgement before sending again (closed loop), for `seconds`, and counts what the
/// server answered.
struct IngestLoadGenerator: Sendable {
    /// The server, e.g. `http://127.0.0.1:4443`.
    let endpoint: String
    /// The delivery stream.
    let stream: String
    /// Concurrent connections, one request in flight on each.
    let connections: Int
    /// How long to send.
    let seconds: Double
    /// Records per PutRecordBatch.
    let records: Int
    /// Bytes per record (before base64).
    let recordBytes: Int
    /// JSON lines whose text fills the records (each connection gets different ones), or empty for records padded
    /// with one repeated byte.
    var contentLines: [[UInt8]] = []

    /// What one connection saw.
    struct Tally: Sendable {
        var requests = 0
        var acceptedRecords = 0
        var failedRecords = 0
        var throttledRecords = 0
        var httpErrors: [String: Int] = [:]
        var latenciesNanoseconds: [Int64] = []

        mutating func merge(_ other: Tally) {
            requests += other.requests
            acceptedRecords += other.acceptedRecords
            failedRecords += other.failedRecords
            throttledRecords += other.throttledRecords
            httpErrors.merge(other.httpErrors, uniquingKeysWith: +)
            latenciesNanoseconds += other.latenciesNanoseconds
        }
    }

    /// Runs the load and returns the combined tally and the elapsed seconds.
    func run() async throws -> (Tally, Double) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60),
                                             concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        var bodies: [[UInt8]] = []
        if contentLines.isEmpty {
            bodies = [BenchBatchBody.make(stream: stream, records: records, recordBytes: recordBytes)]
        } else {
            var start = 0
            for _ in 0..<connections {
                let made = BenchBatchBody.make(stream: stream, records: records, recordBytes: recordBytes,
                                               lines: contentLines, start: start)
                bodies.append(made.body)
                start = made.next
            }
        }
        let requests = bodies.map { body in
            var request = HTTPClientRequest(url: endpoint.hasSuffix("/") ? endpoint : endpoint + "/")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-amz-json-1.1")
            request.headers.add(name: "X-Amz-Target", value: "Firehose_20150804.PutRecordBatch")
            request.body = .bytes(ByteBuffer(bytes: body))
            return request
        }
        let recordsPerRequest = records

        let start = ContinuousClock.now
        let deadline = start + .nanoseconds(Int64(seconds * 1e9))
        var total = Tally()
        do {
            total = try await withThrowingTaskGroup(of: Tally.self) { group in
                for connection in 0..<connections {
                    let prepared = requests[connection % requests.count]
                    group.addTask {
                        var tally = Tally()
                        tally.latenciesNanoseconds.reserveCapacity(4096)
                        while ContinuousClock.now < deadline {
                            let sent = ContinuousClock.now
                            let response: HTTPClientResponse
                            do {
                                response = try await client.execute(prepared, timeout: .seconds(60))
                            } catch {
                                tally.httpErrors["transport: \(error)", default: 0] += 1
                                try await Task.sleep(for: .milliseconds(50))
                                continue
                            }
                            let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
                            let elapsed = ContinuousClock.now - sent
                            tally.requests += 1
                            guard response.status == .ok else {
                                let type = response.headers.first(name: "x-amzn-ErrorType") ?? "-"
                                tally.httpErrors["\(response.status.code) \(type)", default: 0] += 1
                                if response.status.code >= 500 { try await Task.sleep(for: .milliseconds(5)) }
                                continue
                            }
                            tally.latenciesNanoseconds.append(elapsed.nanoseconds)
                            let failed = Self.failedPutCount(bytes) ?? recordsPerRequest
                            tally.failedRecords += failed
                            tally.acceptedRecords += recordsPerRequest - failed
                            if failed > 0 { tally.throttledRecords += Self.count("Slow down.", in: bytes) }
                        }
                        return tally
                    }
                }
                var total = Tally()
                for try await tally in group { total.merge(tally) }
                return total
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        let elapsed = (ContinuousClock.now - start).seconds
        try await client.shutdown()
        return (total, elapsed)
    }

    /// `FailedPutCount` of a PutRecordBatch response, found without a JSON parser (the server writes it first).
    static func failedPutCount(_ body: ByteBuffer) -> Int? {
        let text = String(buffer: body)
        guard let range = text.range(of: "\"FailedPutCount\":") else { return nil }
        let digits = text[range.upperBound...].prefix { $0 == " " || $0.isNumber }.filter(\.isNumber)
        return Int(String(digits))
    }

    /// How often `needle` occurs in `body`.
    static func count(_ needle: String, in body: ByteBuffer) -> Int {
        String(buffer: body).components(separatedBy: needle).count - 1
    }
}

extension Duration {
    /// Whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Seconds as a double.
    var seconds: Double { Double(nanoseconds) / 1e9 }
}

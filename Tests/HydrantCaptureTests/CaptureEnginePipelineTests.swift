import Foundation
import HydrantRecords
import Synchronization
import Testing
@testable import HydrantCapture

/// `CaptureEngine` runs the application parsers on a thread of their own over payloads it copies out of the capture
/// buffer; these tests hold it to the records the parsers and the flow table make when run one packet at a time on
/// the reading thread, whatever the batch boundaries.
@Suite struct CaptureEnginePipelineTests {
    /// A mixed synthetic capture (DNS, HTTP, TLS, bulk transfers) written to a temporary file.
    private static func capture(packets: Int, seed: UInt64) throws -> URL {
        var writer = PcapWriter(inMemory: 262_144)
        _ = try MixedScenario(packets: packets, seed: seed).write(to: &writer)
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("hydrant-pipeline-\(UUID().uuidString).pcap")
        try Data(writer.memoryContents).write(to: url)
        return url
    }

    /// The records of the engine with `batchSize`, each dataset in the order the sink received it.
    private static func engineRecords(_ path: String, batchSize: Int, batchesInFlight: Int) throws
        -> (records: CaptureRecords, statistics: CaptureStatistics) {
        let collected = Mutex(CaptureRecords())
        let engine = CaptureEngine(batchSize: batchSize, batchesInFlight: batchesInFlight) { batch in
            collected.withLock { $0.append(contentsOf: batch) }
        }
        let source = try PcapSource.openFile(path)
        while case .frame(let frame) = try source.next() {
            engine.process(frame, linkType: source.linkType)
        }
        engine.finish()
        return (collected.withLock { $0 }, engine.statistics)
    }

    @Test(arguments: [(1, 1), (7, 2), (300, 3), (8192, 8)])
    func sameRecordsAsParsingOnTheReadingThread(batchSize: Int, batchesInFlight: Int) throws {
        let url = try Self.capture(packets: 12_000, seed: 5)
        defer { try? FileManager.default.removeItem(at: url) }
        let expected = try sequentialCaptureRecords(url.path)
        // The capture must exercise every parser, or agreement would prove little.
        #expect(expected.dns.count > 50 && expected.http.count > 10 && expected.tls.count > 10)
        #expect(expected.flows.contains { $0.applicationProtocol == "tls" })
        let (records, statistics) = try Self.engineRecords(url.path, batchSize: batchSize,
                                                           batchesInFlight: batchesInFlight)
        #expect(records.dns == expected.dns)
        #expect(records.http == expected.http)
        #expect(records.tls == expected.tls)
        // Flows leave the table in the same order; their protocol comes from the parser thread.
        #expect(records.flows == expected.flows)
        #expect(statistics.application.dnsMessages > 0)
        #expect(statistics.application.httpRequests == expected.http.count)
    }

    /// Payloads are copied whole: a batch handed over early because its arena filled (large segments) parses the
    /// same as one that was not.
    @Test func largePayloadsSurviveTheHandOver() throws {
        let url = try Self.capture(packets: 6_000, seed: 11)
        defer { try? FileManager.default.removeItem(at: url) }
        let expected = try sequentialCaptureRecords(url.path)
        let (records, _) = try Self.engineRecords(url.path, batchSize: 100_000, batchesInFlight: 2)
        #expect(records.http == expected.http)
        #expect(records.tls == expected.tls)
        #expect(records.dns == expected.dns)
    }

    /// The arena copies bytes whole and says where they are; empty payloads get the empty span.
    @Test func arenaKeepsEveryPayloadAcrossGrowth() {
        let arena = PayloadArena(capacity: 16)
        var spans: [PayloadSpan] = []
        var expected: [[UInt8]] = []
        for size in [0, 1, 15, 4096, 3, 70_000, 0, 9] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ size) }
            spans.append(bytes.withUnsafeBytes { arena.append($0) })
            expected.append(bytes)
        }
        for (span, bytes) in zip(spans, expected) {
            #expect(Array(arena.bytes(span)) == bytes)
        }
        #expect(arena.count == expected.reduce(0) { $0 + $1.count })
        arena.removeAll()
        #expect(arena.count == 0)
        #expect(arena.bytes(.none).isEmpty)
    }
}

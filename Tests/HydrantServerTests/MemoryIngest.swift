import Foundation
import HydrantArchive
import HydrantRecords
import HydrantStream

/// A `RecordIngest` for tests that keeps every accepted batch in memory. Records starting with `slow` are
/// answered "Slow down."; `saturated` makes every put fail as a saturated server.
final class MemoryIngest: RecordIngest, @unchecked Sendable {
    let streamNames: [String]
    private let lock = NSLock()
    private var stored: [String: [[UInt8]]] = [:]
    private var nextID = 0
    private var isSaturated = false

    init(streams: [String] = ["network", "alpha"]) {
        streamNames = streams
    }

    /// Makes puts throw `IngestError.saturated` (true) or work again (false).
    func setSaturated(_ saturated: Bool) {
        lock.withLock { isSaturated = saturated }
    }

    /// The records accepted for `stream`, in order.
    func records(of stream: String) -> [[UInt8]] {
        lock.withLock { stored[stream] ?? [] }
    }

    func describeStream(named name: String) -> DeliveryStreamDescription? {
        guard streamNames.contains(name),
              let prefix = try? PrefixTemplate("logs/!{timestamp:yyyy/MM/dd}/", kind: .prefix),
              let errors = try? PrefixTemplate("errors/!{firehose:error-output-type}/", kind: .errorOutputPrefix)
        else { return nil }
        let configuration = DeliveryStreamConfiguration(
            name: name, buffering: BufferingHints(sizeMB: 8, intervalSeconds: 60),
            destination: .file(FileDestination(root: "/tmp/lake")), prefix: prefix, partitionKeys: [],
            errorOutputPrefix: errors, compression: .gzip)
        return DeliveryStreamDescription(configuration: configuration,
                                         createdAt: Timestamp(seconds: 1_700_000_000, nanoseconds: 250_000_000))
    }

    func put(_ batch: IngestBatch, toStream name: String) async throws(IngestError) -> [PutRecordOutcome] {
        guard streamNames.contains(name) else { throw .streamNotFound(name) }
        return try store(batch, in: name)
    }

    private func store(_ batch: IngestBatch, in name: String) throws(IngestError) -> [PutRecordOutcome] {
        lock.lock()
        defer { lock.unlock() }
        do {
            if isSaturated { throw IngestError.saturated }
            var outcomes: [PutRecordOutcome] = []
            for index in 0..<batch.count {
                let record = Array(batch[index])
                if record.starts(with: Array("slow".utf8)) {
                    outcomes.append(.throttled)
                    continue
                }
                nextID += 1
                stored[name, default: []].append(record)
                outcomes.append(.accepted(recordID: "id-\(nextID)"))
            }
            return outcomes
        }
    }

    func health() -> IngestHealth {
        let saturated = lock.withLock { isSaturated }
        return IngestHealth(acceptingRecords: !saturated,
                            streams: Dictionary(uniqueKeysWithValues: streamNames.map { ($0, saturated ? "backlog full" : "ok") }))
    }
}

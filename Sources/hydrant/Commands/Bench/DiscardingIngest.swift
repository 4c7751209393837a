import HydrantRecords
import HydrantStream
import Foundation

/// A `RecordIngest` that accepts every record of one stream and stores nothing: with it, `hydrant bench ceiling`
/// measures the HTTP stack and the request parsing alone.
final class DiscardingIngest: RecordIngest, @unchecked Sendable {
    let streamNames: [String]
    private let lock = NSLock()
    private var sequence = 0

    /// Accepts records for the stream `stream` (any name when nil).
    init(stream: String?) {
        streamNames = stream.map { [$0] } ?? []
    }

    func describeStream(named name: String) -> DeliveryStreamDescription? { nil }

    func put(_ batch: IngestBatch, toStream name: String) async throws(IngestError) -> [PutRecordOutcome] {
        if !streamNames.isEmpty, !streamNames.contains(name) { throw .streamNotFound(name) }
        let first = lock.withLock {
            let first = sequence
            sequence += batch.count
            return first
        }
        var outcomes: [PutRecordOutcome] = []
        outcomes.reserveCapacity(batch.count)
        for index in 0..<batch.count { outcomes.append(.accepted(recordID: "ceiling-\(first + index)")) }
        return outcomes
    }

    func health() -> IngestHealth { IngestHealth(acceptingRecords: true, streams: [:]) }
}

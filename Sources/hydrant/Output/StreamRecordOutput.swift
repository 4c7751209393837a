import Dispatch
import HydrantCapture
import HydrantRecords
import HydrantStream
import Synchronization

/// Encodes records as JSON lines into batches of at most 500 records and 4 MiB (Firehose's PutRecordBatch
/// limits) and hands each full batch to a delivery stream, waiting until it is accepted: the capture loop is slowed
/// by a slow stream, never allowed to outrun it.
final class StreamRecordOutput: RecordOutput {
    /// Records per batch.
    static let recordsPerBatch = 500
    /// Bytes per batch.
    static let bytesPerBatch = 4 * 1024 * 1024 - 64 * 1024

    private let deliver: @Sendable (IngestBatch) async throws -> Void
    private var batch = IngestBatch(reservingRecords: StreamRecordOutput.recordsPerBatch, bytes: 1 << 20)
    private var encoder = CaptureRecordEncoder()
    private(set) var recordsWritten = 0

    /// An output calling `deliver` for every batch, from the writer's thread (never a Swift concurrency thread).
    init(deliver: @escaping @Sendable (IngestBatch) async throws -> Void) {
        self.deliver = deliver
    }

    func write(_ records: CaptureRecords) throws {
        try encoder.forEach(records) { encode in
            batch.appendRecord { encode(&$0) }
            recordsWritten += 1
            if batch.count >= Self.recordsPerBatch || batch.byteCount >= Self.bytesPerBatch { try send() }
        }
    }

    func flush() throws {
        if !batch.isEmpty { try send() }
    }

    func close() throws { try flush() }

    private func send() throws {
        let full = batch
        batch = IngestBatch(reservingRecords: Self.recordsPerBatch, bytes: 1 << 20)
        let deliver = self.deliver
        try waitFor { try await deliver(full) }
    }
}

/// Runs `body` on Swift's concurrency pool and blocks this (non-pool) thread until it returns.
func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    // The task stored a result before signalling, so the fallback is never taken.
    guard let outcome = result.withLock({ $0 }) else { throw CancellationError() }
    return try outcome.get()
}

extension StreamRecordOutput: EncodedRecordOutput {
    /// Adds lines encoded elsewhere, one stream record each, sending every full batch.
    func write(_ records: EncodedRecords) throws {
        try records.forEachLine { line in
            batch.appendRecord { $0.append(contentsOf: line) }
            recordsWritten += 1
            if batch.count >= Self.recordsPerBatch || batch.byteCount >= Self.bytesPerBatch { try send() }
        }
    }
}

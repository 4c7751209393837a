import Dispatch
import HydrantCapture
import Synchronization

/// Encodes and writes record batches on a thread of its own, so the capture loop never waits for JSON encoding or
/// the disk; at most `capacity` batches wait, after which the capture loop waits (backpressure, bounded memory).
final class BackgroundRecordWriter: @unchecked Sendable {
    // Unchecked: `writer` is touched only on `queue`; the semaphore bounds the batches in flight.
    private let writer: any RecordOutput
    private let queue = DispatchQueue(label: "hydrant.record-writer")
    private let slots: DispatchSemaphore
    private let failure = Mutex<(any Error)?>(nil)

    /// Takes over `writer`; from now on it is used only on the writer's own thread.
    init(_ writer: any RecordOutput, capacity: Int = 16) {
        self.writer = writer
        slots = DispatchSemaphore(value: capacity)
    }

    /// Queues a batch for encoding; waits while `capacity` batches are already queued. The first write error
    /// is thrown by the next call.
    func write(_ batch: CaptureRecords) throws {
        try rethrowFailure()
        slots.wait()
        queue.async {
            defer { self.slots.signal() }
            guard self.failure.withLock({ $0 == nil }) else { return }
            do {
                try self.writer.write(batch)
            } catch {
                self.failure.withLock { $0 = error }
            }
        }
    }

    /// Waits until every queued batch is written and flushed to the file.
    func flush() throws {
        try queue.sync { try writer.flush() }
        try rethrowFailure()
    }

    /// Writes what is queued, closes the file and returns how many records were written.
    func close() throws -> Int {
        let written = try queue.sync {
            try writer.close()
            return writer.recordsWritten
        }
        try rethrowFailure()
        return written
    }

    /// Throws the first write error, if one happened.
    func check() throws { try rethrowFailure() }

    private func rethrowFailure() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }
}

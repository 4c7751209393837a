import Dispatch
import HydrantRecords
import Synchronization

/// Encodes batches of one dataset's records as JSON lines (with `Encoder`: the field-table encoder, or one written for
/// the dataset's layout) and writes them to an output, on a thread of its own, so
/// that the thread producing them (a UDP receive loop) only decodes. At most `capacity` batches wait; past that the
/// producer waits (bounded memory). When the queue runs empty the output is flushed, so a reader of the file or
/// stream sees records promptly while traffic is light.
final class BackgroundEncodedWriter<Encoder: JSONLinesBatchEncoding>: @unchecked Sendable {
    // Unchecked: `output`, `encoder` and `encoded` are touched only on `queue`.
    private let output: any EncodedRecordOutput
    private let queue = DispatchQueue(label: "hydrant.encoded-writer")
    private let slots: DispatchSemaphore
    private let queued = Atomic<Int>(0)
    private let failure = Mutex<(any Error)?>(nil)
    private var encoder = Encoder()
    private var encoded = EncodedRecords(reservingRecords: 1024)

    /// Takes over `output`; from now on it is used only on the writer's own thread.
    init(_ output: any EncodedRecordOutput, capacity: Int = 64) {
        self.output = output
        slots = DispatchSemaphore(value: max(capacity, 1))
    }

    /// Queues a batch; waits while `capacity` batches are queued. A write error is kept and thrown by `close`
    /// (and `check`); later batches are dropped.
    ///
    /// `done`, when given, is handed the array emptied (its storage kept) after the batch was encoded, on the
    /// writer's thread: the producer can fill it again instead of allocating (and faulting in) a new one.
    func write(_ records: [Encoder.Record], then done: (@Sendable ([Encoder.Record]) -> Void)? = nil) {
        guard !records.isEmpty else { return }
        slots.wait()
        queued.add(1, ordering: .relaxed)
        // Held in a box the block empties, so that once encoded the array has one owner (the block's context would
        // keep a captured array referenced until the block is destroyed) and is emptied without new storage.
        let held = HeldRecords(records)
        queue.async {
            defer { self.slots.signal() }
            var records = held.take()
            let left = self.queued.subtract(1, ordering: .relaxed).newValue
            if self.failure.withLock({ $0 == nil }) {
                do {
                    self.encoded.removeAll()
                    // One call per batch: the records are encoded in place, without a copy (and its reference
                    // counting) per record.
                    self.encoded.append(contentsOf: records, with: &self.encoder)
                    try self.output.write(self.encoded)
                    if left == 0 { try self.output.flush() }
                } catch {
                    self.failure.withLock { $0 = error }
                }
            }
            if let done {
                records.removeAll(keepingCapacity: true)
                done(records)
            }
        }
    }

    /// Throws the first write error, if one happened.
    func check() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Writes what is queued, closes the output and returns how many records it took.
    func close() throws -> Int {
        let written = try queue.sync {
            try output.close()
            return output.recordsWritten
        }
        try check()
        return written
    }
}

/// A batch on its way to the writer's thread, which takes it out (leaving the box empty) so that it is then the
/// array's only owner.
private final class HeldRecords<Record>: @unchecked Sendable {
    // Unchecked: written by the producer before the block is queued, taken once by the block.
    private var records: [Record]

    init(_ records: [Record]) { self.records = records }

    func take() -> [Record] {
        var taken: [Record] = []
        swap(&taken, &records)
        return taken
    }
}

import HydrantRecords
import Synchronization

/// Encodes batches of one dataset's records as JSON lines (with `Encoder`: the field-table encoder, or one written for
/// the dataset's layout) and writes them to an output, on the thread that hands it the batches: the collector's
/// delivery thread, which already runs apart from the thread that receives and decodes, so a queue and a thread of
/// its own here would only add a hand-over (a wake-up and an allocation) per batch. `flush` is called when no
/// further batch is waiting, so a reader of the file or stream sees records promptly while traffic is light.
final class EncodedBatchWriter<Encoder: JSONLinesBatchEncoding>: @unchecked Sendable {
    // Unchecked: `output`, `encoder` and `encoded` are used by one thread at a time: the thread calling `write` and
    // `flush`, then (after that thread has ended) the one calling `close`.
    private let output: any EncodedRecordOutput
    private let failure = Mutex<(any Error)?>(nil)
    private var encoder = Encoder()
    private var encoded = EncodedRecords(reservingRecords: 1024)

    /// Takes over `output`.
    init(_ output: any EncodedRecordOutput) {
        self.output = output
    }

    /// Encodes and writes a batch. A write error is kept and thrown by `close` (and `check`); later batches are
    /// dropped.
    func write(_ records: [Encoder.Record]) {
        guard !records.isEmpty, failure.withLock({ $0 == nil }) else { return }
        do {
            encoded.removeAll()
            // One call per batch: the records are encoded in place, without a copy (and its reference counting)
            // per record.
            encoded.append(contentsOf: records, with: &encoder)
            try output.write(encoded)
        } catch {
            failure.withLock { $0 = error }
        }
    }

    /// Flushes the output: no further batch is waiting.
    func flush() {
        guard failure.withLock({ $0 == nil }) else { return }
        do { try output.flush() } catch { failure.withLock { $0 = error } }
    }

    /// Throws the first write error, if one happened.
    func check() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Closes the output (once the thread writing has ended) and returns how many records it took.
    func close() throws -> Int {
        try output.close()
        try check()
        return output.recordsWritten
    }
}

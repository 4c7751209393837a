import Foundation
import HydrantRecords

/// Datagrams taken by one `recvmmsg` call, packed into one buffer: what the receive thread hands the decode thread.
struct DatagramBatch: Sendable {
    /// When the call returned (the receive time of every datagram in it).
    private(set) var receivedAt: Timestamp
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    private var senders: [UInt32] = []

    /// An empty batch for about `capacity` datagrams.
    init(receivedAt: Timestamp, capacity: Int) {
        self.receivedAt = receivedAt
        ends.reserveCapacity(capacity)
        senders.reserveCapacity(capacity)
        bytes.reserveCapacity(capacity * 1500)
    }

    /// Bytes held.
    var byteCount: Int { bytes.count }

    /// Bytes of storage held, filled or not.
    var byteCapacity: Int { bytes.capacity }

    /// Empties the batch for the datagrams of another call, keeping its storage.
    mutating func reuse(receivedAt: Timestamp) {
        self.receivedAt = receivedAt
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        senders.removeAll(keepingCapacity: true)
    }

    /// Copies one datagram from IPv4 `sender` (host order).
    mutating func append(_ datagram: UnsafeRawBufferPointer, from sender: UInt32) {
        bytes.append(contentsOf: datagram)
        ends.append(bytes.count)
        senders.append(sender)
    }

    /// Calls `body` with each datagram and its sender, in arrival order.
    func forEach(_ body: (UnsafeRawBufferPointer, UInt32) -> Void) {
        bytes.withUnsafeBytes { all in
            var start = 0
            for (index, end) in ends.enumerated() {
                body(UnsafeRawBufferPointer(rebasing: all[start..<end]), senders[index])
                start = end
            }
        }
    }
}

/// A bounded first-in first-out queue of datagram batches between one producer and one consumer thread, which also
/// hands batches the consumer is done with back to the producer, so that their storage is reused instead of
/// allocated (and faulted in) for every `recvmmsg` call.
final class DatagramQueue: @unchecked Sendable {
    /// Emptied batches kept for reuse (at most 16 MiB with `spareByteLimit`): enough that the batches of a burst,
    /// which queue up while the decode thread catches up, are kept rather than freed and faulted in again.
    static let spareLimit = 64
    /// Batches holding more storage than this are not kept (a call of many large datagrams).
    static let spareByteLimit = 256 << 10
    private let condition = NSCondition()
    private var batches: [DatagramBatch] = []
    private var spares: [DatagramBatch] = []
    private var head = 0
    private var bytes = 0
    private var finished = false
    private let limit: Int

    /// A queue holding at most `limit` bytes of datagrams (one batch always fits).
    init(limit: Int) {
        self.limit = limit
    }

    /// Adds a batch, waiting while the queue is full.
    func push(_ batch: DatagramBatch) {
        condition.lock()
        while bytes > 0 && bytes + batch.byteCount > limit { condition.wait() }
        batches.append(batch)
        bytes += batch.byteCount
        condition.broadcast()
        condition.unlock()
    }

    /// The oldest batch, waiting for one; nil once `finish` was called and everything was taken.
    func pop() -> DatagramBatch? {
        condition.lock()
        defer { condition.unlock() }
        while head == batches.count && !finished { condition.wait() }
        guard head < batches.count else { return nil }
        // Swapped out, so that the batch taken is the only reference to its storage (reusable when given back).
        var batch = DatagramBatch(receivedAt: Timestamp(nanoseconds: 0), capacity: 0)
        swap(&batch, &batches[head])
        head += 1
        bytes -= batch.byteCount
        if head == batches.count {
            batches.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 {
            batches.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return batch
    }

    /// An empty batch for the datagrams of one call received at `receivedAt`: one given back, or a new one for
    /// about `capacity` datagrams.
    func emptyBatch(receivedAt: Timestamp, capacity: Int) -> DatagramBatch {
        condition.lock()
        let spare = spares.popLast()
        condition.unlock()
        guard var batch = spare else { return DatagramBatch(receivedAt: receivedAt, capacity: capacity) }
        batch.reuse(receivedAt: receivedAt)
        return batch
    }

    /// Gives back a batch the consumer has decoded, for `emptyBatch` to hand out again.
    func recycle(_ batch: consuming DatagramBatch) {
        guard batch.byteCapacity <= Self.spareByteLimit else { return }
        condition.lock()
        if spares.count < Self.spareLimit { spares.append(batch) }
        condition.unlock()
    }

    /// Batches kept for reuse now.
    var spareCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return spares.count
    }

    /// Whether nothing waits to be taken.
    var isEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return head == batches.count
    }

    /// No more batches will come; `pop` returns nil when the rest are taken.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}

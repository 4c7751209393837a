import Foundation
import HydrantRecords

/// Datagrams taken by one `recvmmsg` call, packed into one buffer: what the receive thread hands the decode thread.
struct DatagramBatch: Sendable {
    /// When the call returned (the receive time of every datagram in it).
    let receivedAt: Timestamp
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

/// A bounded first-in first-out queue of datagram batches between one producer and one consumer thread.
final class DatagramQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [DatagramBatch] = []
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
        let batch = batches[head]
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

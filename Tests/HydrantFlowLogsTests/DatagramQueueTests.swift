import HydrantRecords
import Testing
@testable import HydrantFlowLogs

/// The queue between the collector's receive and decode threads hands decoded batches back for reuse, within bounds.
@Suite struct DatagramQueueTests {
    static func batch(_ count: Int, size: Int, at time: Int64) -> DatagramBatch {
        var batch = DatagramBatch(receivedAt: Timestamp(nanoseconds: time), capacity: 1)
        let datagram = [UInt8](repeating: UInt8(truncatingIfNeeded: time), count: size)
        for i in 0..<count { datagram.withUnsafeBytes { batch.append($0, from: UInt32(i)) } }
        return batch
    }

    @Test("a batch given back is handed out again emptied, with its storage, and holds new datagrams")
    func reuse() throws {
        let queue = DatagramQueue(limit: 1 << 20)
        queue.push(Self.batch(40, size: 1_400, at: 1))
        let taken = try #require(queue.pop())
        let capacity = taken.byteCapacity
        #expect(capacity >= 40 * 1_400)
        queue.recycle(taken)
        #expect(queue.spareCount == 1)
        var again = queue.emptyBatch(receivedAt: Timestamp(nanoseconds: 2), capacity: 1)
        #expect(queue.spareCount == 0)
        #expect(again.byteCount == 0 && again.byteCapacity == capacity && again.receivedAt == Timestamp(nanoseconds: 2))
        let datagram: [UInt8] = [1, 2, 3]
        datagram.withUnsafeBytes { again.append($0, from: 9) }
        var seen: [([UInt8], UInt32)] = []
        again.forEach { seen.append((Array($0), $1)) }
        #expect(seen.count == 1 && seen[0].0 == [1, 2, 3] && seen[0].1 == 9, "nothing of the earlier datagrams is left")
    }

    @Test("batches with large storage are not kept, and at most spareLimit are")
    func bounded() {
        let queue = DatagramQueue(limit: 64 << 20)
        queue.recycle(Self.batch(5, size: 65_535, at: 1))
        #expect(queue.spareCount == 0, "a call of large datagrams is not kept")
        for i in 0..<(DatagramQueue.spareLimit + 5) { queue.recycle(Self.batch(2, size: 100, at: Int64(i))) }
        #expect(queue.spareCount == DatagramQueue.spareLimit)
    }
}

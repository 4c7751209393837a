import HydrantFlowLogs
import HydrantRecords
import Testing

/// The pool of record arrays between a collector's decode thread and its consumer: arrays given back are handed out
/// again empty with their storage, within bounds.
@Suite struct RecordBatchPoolTests {
    static func records(_ count: Int) -> [NetFlowRecord] {
        (0..<count).map { i in
            var record = NetFlowRecord(version: 10, exporterIP: IPAddress(ipv4: 1), observationDomain: 0,
                                       exportTime: Timestamp(nanoseconds: Int64(i)))
            record.observerName = "edge"
            return record
        }
    }

    static func storage(_ records: [NetFlowRecord]) -> UnsafeRawPointer? {
        records.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    @Test("an empty pool makes arrays reserving its capacity; one given back comes out again, emptied, same storage")
    func reuse() {
        let pool = RecordBatchPool<NetFlowRecord>(limit: 4, capacity: 100)
        var first = pool.take()
        #expect(first.isEmpty && first.capacity >= 100)
        first.append(contentsOf: Self.records(100))
        let storage = Self.storage(first)
        first.removeAll(keepingCapacity: true)
        pool.give(first)
        #expect(pool.spareCount == 1)
        let again = pool.take()
        #expect(pool.spareCount == 0)
        #expect(again.isEmpty && again.capacity >= 100 && Self.storage(again) == storage)
    }

    @Test("an array given back with records is emptied; small ones and ones past the limit are not kept")
    func bounds() {
        let pool = RecordBatchPool<NetFlowRecord>(limit: 2, capacity: 64)
        var full: [NetFlowRecord] = []
        full.reserveCapacity(64)
        full.append(contentsOf: Self.records(10))
        pool.give(full)
        #expect(pool.spareCount == 1)
        #expect(pool.take().isEmpty, "nothing of the records given back is left")
        pool.give(Self.records(3))
        #expect(pool.spareCount == 0, "less storage than the capacity: not kept")
        for _ in 0..<5 {
            var spare: [NetFlowRecord] = []
            spare.reserveCapacity(64)
            pool.give(spare)
        }
        #expect(pool.spareCount == 2)
    }
}

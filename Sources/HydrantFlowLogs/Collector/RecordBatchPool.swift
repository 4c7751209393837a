import Foundation

/// Record arrays handed back by the consumer of a collector's batches, for the decode thread to fill again.
///
/// Without it every batch handed over is a fresh allocation of a few hundred kilobytes (1,024 records of about 370
/// bytes), which the C library takes from and gives back to the kernel, so the decode thread's first write to each
/// page of it is a page fault (about 15% of `collect`'s CPU time at 1,000,000 records/s in `perf`). At most
/// `limit` arrays are kept, so memory stays bounded by what was in flight at the busiest moment, capped.
public final class RecordBatchPool<Record>: @unchecked Sendable {
    // Unchecked: `spares` is only touched under `lock`; the arrays in it are owned by no one else.
    private let lock = NSLock()
    private var spares: [[Record]] = []
    /// The most arrays kept.
    public let limit: Int
    /// The capacity a new array is made with.
    public let capacity: Int

    /// A pool keeping at most `limit` arrays; arrays it makes reserve `capacity` records.
    public init(limit: Int = 16, capacity: Int) {
        self.limit = max(limit, 0)
        self.capacity = max(capacity, 1)
    }

    /// An empty array: one given back (its storage kept), or a new one reserving `capacity`.
    public func take() -> [Record] {
        lock.lock()
        let spare = spares.popLast()
        lock.unlock()
        guard let records = spare else {
            var fresh: [Record] = []
            fresh.reserveCapacity(capacity)
            return fresh
        }
        return records
    }

    /// Takes back an array whose records were consumed; best given emptied with `removeAll(keepingCapacity: true)`
    /// by its last owner (emptying an array that is still shared allocates new storage). Otherwise its records are
    /// destroyed here, on the caller's thread. An array with less than `capacity` of storage is not kept (it would
    /// grow again), nor one past `limit`.
    public func give(_ records: consuming [Record]) {
        var records = records
        guard records.capacity >= capacity else { return }
        if !records.isEmpty { records.removeAll(keepingCapacity: true) }
        lock.lock()
        if spares.count < limit { spares.append(records) }
        lock.unlock()
    }

    /// Arrays kept now.
    public var spareCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return spares.count
    }
}

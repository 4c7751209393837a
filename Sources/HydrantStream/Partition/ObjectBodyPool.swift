import Foundation

/// Object bodies kept for reuse once their object was delivered.
///
/// A stream fills partition buffers of up to its size limit (up to 128 MiB) over and over. Without reuse every
/// buffer is fresh memory: the kernel faults in and zeroes each page once more (profiles of `hydrant serve` put that
/// at about a fifth of the server's CPU time), and a buffer grown by doubling touches twice its size and copies
/// everything once more. A delivered body goes back here instead, and the next buffer starts with its pages.
final class ObjectBodyPool: @unchecked Sendable {
    /// The capacity a new body reserves: the stream's size limit plus the largest record that can follow the
    /// limit (a buffer is sealed once it reaches the limit, so it overshoots by at most one record).
    let reservedCapacity: Int
    /// The most bodies kept; the rest are freed.
    let maximumKept: Int
    private let lock = NSLock()
    private var kept: [[UInt8]] = []

    /// A pool for a stream whose buffers are sealed at `sizeLimit` bytes.
    init(sizeLimit: Int, maximumKept: Int = 4) {
        reservedCapacity = sizeLimit + Self.largestRecord
        self.maximumKept = maximumKept
    }

    /// Firehose's limit on one record (1,000 KiB) with its delimiter, rounded up: the most a buffer overshoots.
    static let largestRecord = 1 << 20

    /// An empty body with room for a whole object: a kept one when there is one, otherwise a fresh reservation
    /// (whose pages the kernel only provides once written).
    func take() -> [UInt8] {
        let reused: [UInt8]? = lock.withLock { kept.popLast() }
        if let reused { return reused }
        var fresh: [UInt8] = []
        fresh.reserveCapacity(reservedCapacity)
        return fresh
    }

    /// Keeps `body`'s memory for a later `take()` (emptied), unless enough are kept or it is not a whole-object
    /// reservation. Takes the memory only when `body` is its sole owner (then `body` is left empty); a body still
    /// shared with a copy is left alone, so the copy's bytes never change.
    func give(_ body: inout [UInt8]) {
        guard body.capacity >= reservedCapacity, body.capacity <= 2 * reservedCapacity else { return }
        // `removeAll(keepingCapacity:)` empties a sole owner in place but gives a shared array fresh storage
        // (without touching its pages); only memory that already holds its pages is worth keeping.
        let before = body.withUnsafeBufferPointer { $0.baseAddress }
        body.removeAll(keepingCapacity: true)
        guard body.withUnsafeBufferPointer({ $0.baseAddress }) == before else {
            body = []
            return
        }
        var emptied: [UInt8] = []
        swap(&emptied, &body)
        lock.withLock {
            if kept.count < maximumKept { kept.append(emptied) }
        }
    }

    /// Bodies kept now.
    var keptCount: Int { lock.withLock { kept.count } }
}

/// The bytes of a sealed object, handed back to their pool when the last holder lets go (after delivery).
final class ObjectBody: @unchecked Sendable {
    /// JSON lines, uncompressed. Never mutated while shared: only `deinit` takes them.
    private(set) var bytes: [UInt8]
    private let pool: ObjectBodyPool?

    /// Wraps `bytes`; they return to `pool` on release.
    init(_ bytes: [UInt8], returningTo pool: ObjectBodyPool?) {
        self.bytes = bytes
        self.pool = pool
    }

    deinit {
        pool?.give(&bytes)
    }
}

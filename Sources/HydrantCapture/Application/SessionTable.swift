/// The TCP connections the application parsers follow, by flow key: an open-addressing index (linear probing,
/// backward-shift deletion) over dense arrays of keys and sessions.
///
/// Every TCP packet with payload or a SYN, FIN or RST looks its connection up here, so the lookup is the flow
/// key's own mixing hash and one probe in the common case, rather than `Dictionary`'s seeded SipHash.
struct SessionTable {
    /// `slot + 1` of the entry whose probe sequence passes here, or 0.
    private var buckets: [Int32]
    private var mask: Int
    private var keys: [FlowKey] = []
    private var hashes: [UInt64] = []
    /// The sessions, dense, in slot order.
    private(set) var sessions: [TCPSession] = []

    /// An empty table.
    init() {
        buckets = Array(repeating: 0, count: 1024)
        mask = 1023
    }

    /// Sessions held.
    var count: Int { sessions.count }

    /// Whether no session is held.
    var isEmpty: Bool { sessions.isEmpty }

    /// The session of `key`, if followed.
    @inline(__always)
    func session(_ key: FlowKey, hash: UInt64) -> TCPSession? {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let bucket = Int(buckets[index])
            if bucket == 0 { return nil }
            if hashes[bucket - 1] == hash, keys[bucket - 1] == key { return sessions[bucket - 1] }
            index = (index + 1) & mask
        }
    }

    /// Adds `session` under `key`, which is not in the table.
    mutating func insert(_ session: TCPSession, key: FlowKey, hash: UInt64) {
        if (sessions.count + 1) * 4 > buckets.count * 3 { grow() }
        keys.append(key)
        hashes.append(hash)
        sessions.append(session)
        place(slot: sessions.count - 1, hash: hash)
    }

    /// Removes the session of `key`, if held.
    mutating func remove(_ key: FlowKey, hash: UInt64) {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let bucket = Int(buckets[index])
            if bucket == 0 { return }
            if hashes[bucket - 1] == hash, keys[bucket - 1] == key { break }
            index = (index + 1) & mask
        }
        let slot = Int(buckets[index]) - 1
        clear(bucket: index)
        // The last entry moves into the freed slot, so the arrays stay dense.
        let last = sessions.count - 1
        if slot != last {
            var moved = Int(truncatingIfNeeded: hashes[last]) & mask
            while Int(buckets[moved]) != last + 1 { moved = (moved + 1) & mask }
            buckets[moved] = Int32(slot + 1)
            keys[slot] = keys[last]
            hashes[slot] = hashes[last]
            sessions[slot] = sessions[last]
        }
        keys.removeLast()
        hashes.removeLast()
        sessions.removeLast()
    }

    /// Every key with its session.
    var entries: [(key: FlowKey, session: TCPSession)] {
        (0..<sessions.count).map { (keys[$0], sessions[$0]) }
    }

    /// Forgets every session.
    mutating func removeAll() {
        keys.removeAll()
        hashes.removeAll()
        sessions.removeAll()
        for index in buckets.indices { buckets[index] = 0 }
    }

    private mutating func place(slot: Int, hash: UInt64) {
        var index = Int(truncatingIfNeeded: hash) & mask
        while buckets[index] != 0 { index = (index + 1) & mask }
        buckets[index] = Int32(slot + 1)
    }

    /// Empties bucket `hole` and shifts later entries of the probe run back, so no tombstones are needed.
    private mutating func clear(bucket hole: Int) {
        var hole = hole
        var next = hole
        while true {
            next = (next + 1) & mask
            let bucket = Int(buckets[next])
            if bucket == 0 { break }
            let home = Int(truncatingIfNeeded: hashes[bucket - 1]) & mask
            // The entry at `next` may move to `hole` unless its home lies cyclically in (hole, next].
            let stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if stays { continue }
            buckets[hole] = buckets[next]
            hole = next
        }
        buckets[hole] = 0
    }

    private mutating func grow() {
        buckets = Array(repeating: 0, count: buckets.count * 2)
        mask = buckets.count - 1
        for slot in hashes.indices { place(slot: slot, hash: hashes[slot]) }
    }
}

/// The TCP connections the application parsers follow, by flow key: an open-addressing index (linear probing,
/// backward-shift deletion, at most half full) over dense arrays of keys and sessions.
///
/// Every TCP packet with payload or a SYN, FIN or RST looks its connection up here, so the lookup is the flow
/// key's own mixing hash and, in the common case, one bucket (which holds 32 bits of the hash, so other keys are
/// passed over without touching them) and one key compare, rather than `Dictionary`'s seeded SipHash.
struct SessionTable {
    /// 32 bits of the entry's hash (high half) and its `slot + 1` (low half), or 0 for an empty bucket.
    private var buckets: [UInt64]
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
        slot(of: key, hash: hash).map { sessions[$0] }
    }

    /// The slot holding `key`'s session, if followed.
    @inline(__always)
    private func slot(of key: FlowKey, hash: UInt64) -> Int? {
        let tag = SessionTable.tag(hash)
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let bucket = buckets[index]
            if bucket == 0 { return nil }
            if bucket >> 32 == tag {
                let slot = Int(truncatingIfNeeded: bucket & 0xFFFF_FFFF) - 1
                if keys[slot] == key { return slot }
            }
            index = (index + 1) & mask
        }
    }

    /// The session of `key`, if followed, not retained: valid while the table holds it (until it is removed or the
    /// table is emptied).
    @inline(__always)
    func unretainedSession(_ key: FlowKey, hash: UInt64) -> Unmanaged<TCPSession>? {
        guard let slot = slot(of: key, hash: hash) else { return nil }
        return sessions.withUnsafeBufferPointer { Unmanaged.passUnretained($0[slot]) }
    }

    /// The bits of a hash kept in its bucket.
    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt64 { hash >> 32 }

    /// Adds `session` under `key`, which is not in the table.
    mutating func insert(_ session: TCPSession, key: FlowKey, hash: UInt64) {
        if (sessions.count + 1) * 2 > buckets.count { grow() }
        keys.append(key)
        hashes.append(hash)
        sessions.append(session)
        place(slot: sessions.count - 1, hash: hash)
    }

    /// Removes the session of `key`, if held.
    mutating func remove(_ key: FlowKey, hash: UInt64) {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let bucket = buckets[index]
            if bucket == 0 { return }
            let slot = Int(truncatingIfNeeded: bucket & 0xFFFF_FFFF) - 1
            if hashes[slot] == hash, keys[slot] == key { break }
            index = (index + 1) & mask
        }
        let slot = Int(truncatingIfNeeded: buckets[index] & 0xFFFF_FFFF) - 1
        clear(bucket: index)
        // The last entry moves into the freed slot, so the arrays stay dense.
        let last = sessions.count - 1
        if slot != last {
            var moved = Int(truncatingIfNeeded: hashes[last]) & mask
            while buckets[moved] & 0xFFFF_FFFF != UInt64(last + 1) { moved = (moved + 1) & mask }
            buckets[moved] = buckets[moved] & ~0xFFFF_FFFF | UInt64(slot + 1)
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
        buckets[index] = SessionTable.tag(hash) << 32 | UInt64(slot + 1)
    }

    /// Empties bucket `hole` and shifts later entries of the probe run back, so no tombstones are needed.
    private mutating func clear(bucket hole: Int) {
        var hole = hole
        var next = hole
        while true {
            next = (next + 1) & mask
            let bucket = buckets[next]
            if bucket == 0 { break }
            let home = Int(truncatingIfNeeded: hashes[Int(truncatingIfNeeded: bucket & 0xFFFF_FFFF) - 1]) & mask
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

/// A map from keys to values whose hashes the caller computes: an open-addressing index (linear probing,
/// backward-shift deletion, at most half full) over dense arrays of keys, hashes and values. `SessionTable` and
/// `PendingQueryTable` are this table with their own keys and hashes.
///
/// A bucket holds 32 bits of its entry's hash, so a probe passes other keys without touching them, and in the common
/// case a lookup is one bucket and one key compare. No tombstones: a removal shifts the later entries of its probe
/// run back, and the last entry moves into the freed slot so that the arrays stay dense.
struct OpenAddressedTable<Key: Equatable, Value> {
    /// 32 bits of the entry's hash (high half) and its `slot + 1` (low half), or 0 for an empty bucket.
    private var buckets: [UInt64]
    private var mask: Int
    private(set) var keys: [Key] = []
    private var hashes: [UInt64] = []
    /// The values, dense, in slot order: insertion order but for removals, which move the last entry into the hole.
    private(set) var values: [Value] = []

    /// An empty table of `buckets` buckets to start with (a power of two; it doubles when half full).
    init(buckets count: Int) {
        buckets = Array(repeating: 0, count: count)
        mask = count - 1
    }

    /// Entries held.
    var count: Int { values.count }

    /// The slot of `key` (whose hash is `hash`), if held.
    @inline(__always)
    func slot(of key: Key, hash: UInt64) -> Int? {
        let tag = hash >> 32
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

    /// The value in `slot`, read or changed in place (a field read without copying the whole value out).
    subscript(slot: Int) -> Value {
        _read { yield values[slot] }
        _modify { yield &values[slot] }
    }

    /// Adds `value` under `key` (hash `hash`), which is not held; returns its slot.
    @discardableResult
    mutating func insert(_ value: consuming Value, key: Key, hash: UInt64) -> Int {
        if (values.count + 1) * 2 > buckets.count { grow() }
        keys.append(key)
        hashes.append(hash)
        values.append(value)
        let slot = values.count - 1
        place(slot: slot, hash: hash)
        return slot
    }

    /// Takes the value of `key` (hash `hash`) out, if held.
    @discardableResult
    mutating func remove(_ key: Key, hash: UInt64) -> Value? {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let bucket = buckets[index]
            if bucket == 0 { return nil }
            let slot = Int(truncatingIfNeeded: bucket & 0xFFFF_FFFF) - 1
            if hashes[slot] == hash, keys[slot] == key { break }
            index = (index + 1) & mask
        }
        let slot = Int(truncatingIfNeeded: buckets[index] & 0xFFFF_FFFF) - 1
        clear(bucket: index)
        let last = values.count - 1
        var removed = values.removeLast()
        if slot != last {
            var moved = Int(truncatingIfNeeded: hashes[last]) & mask
            while buckets[moved] & 0xFFFF_FFFF != UInt64(last + 1) { moved = (moved + 1) & mask }
            buckets[moved] = buckets[moved] & ~0xFFFF_FFFF | UInt64(slot + 1)
            keys[slot] = keys[last]
            hashes[slot] = hashes[last]
            // Moved, not copied: `swapAt` copied both values (a DNS record each, every string retained and released).
            swap(&values[slot], &removed)
        }
        keys.removeLast()
        hashes.removeLast()
        return removed
    }

    /// Forgets every entry.
    mutating func removeAll() {
        keys.removeAll()
        hashes.removeAll()
        values.removeAll()
        for index in buckets.indices { buckets[index] = 0 }
    }

    private mutating func place(slot: Int, hash: UInt64) {
        var index = Int(truncatingIfNeeded: hash) & mask
        while buckets[index] != 0 { index = (index + 1) & mask }
        buckets[index] = (hash >> 32) << 32 | UInt64(slot + 1)
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

/// An open-addressing hash index from flow key to slot, with linear probing and backward-shift deletion.
///
/// Each bucket is one `UInt64`: the key's 32-bit hash in the high half and `slot + 1` in the low half (0 = empty).
/// A probe compares the stored hash first and touches the flow's key only on a hash match; deletion shifts later
/// entries back instead of leaving tombstones, so lookups never slow down as flows come and go. The table doubles
/// when it would be more than 3/4 full.
struct FlowIndex {
    private var buckets: UnsafeMutablePointer<UInt64>
    private var mask: Int
    /// Entries stored.
    private(set) var count = 0

    /// Buckets allocated.
    var capacity: Int { mask + 1 }

    /// An empty index with room for `minimumCapacity` buckets (rounded up to a power of two, at least 16).
    init(minimumCapacity: Int = 1024) {
        var size = 16
        while size < minimumCapacity { size <<= 1 }
        buckets = .allocate(capacity: size)
        buckets.initialize(repeating: 0, count: size)
        mask = size - 1
    }

    /// Frees the buckets; the index must not be used afterwards.
    func deallocate() {
        buckets.deallocate()
    }

    @inline(__always)
    private static func hash32(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash ^ (hash >> 32)) }

    /// The slot of `key`, or -1.
    @inline(__always)
    func find(_ key: FlowKey, hash: UInt64, in entries: UnsafeMutablePointer<FlowEntry>) -> Int32 {
        let h = FlowIndex.hash32(hash)
        var i = Int(h) & mask
        while true {
            let bucket = buckets[i]
            if bucket == 0 { return -1 }
            if UInt32(truncatingIfNeeded: bucket >> 32) == h {
                let slot = Int32(truncatingIfNeeded: bucket) - 1
                if entries[Int(slot)].key == key { return slot }
            }
            i = (i + 1) & mask
        }
    }

    /// Adds a slot for a key that is not in the index.
    @inline(__always)
    mutating func insert(hash: UInt64, slot: Int32) {
        if (count + 1) * 4 > capacity * 3 { grow() }
        let h = FlowIndex.hash32(hash)
        var i = Int(h) & mask
        while buckets[i] != 0 { i = (i + 1) & mask }
        buckets[i] = UInt64(h) << 32 | UInt64(UInt32(slot + 1))
        count += 1
    }

    /// Removes the bucket holding `slot` (whose key hashes to `hash`).
    mutating func remove(hash: UInt64, slot: Int32) {
        let h = FlowIndex.hash32(hash)
        let wanted = UInt64(h) << 32 | UInt64(UInt32(slot + 1))
        var i = Int(h) & mask
        while buckets[i] != wanted {
            guard buckets[i] != 0 else { return }
            i = (i + 1) & mask
        }
        // Backward-shift deletion: pull later members of the probe run into the hole when their home allows it.
        var hole = i
        var j = i
        while true {
            j = (j + 1) & mask
            let bucket = buckets[j]
            if bucket == 0 { break }
            let home = Int(UInt32(truncatingIfNeeded: bucket >> 32)) & mask
            // The entry at j may move to the hole unless its home lies cyclically in (hole, j].
            let stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
            if !stays {
                buckets[hole] = bucket
                hole = j
            }
        }
        buckets[hole] = 0
        count -= 1
    }

    /// Empties the index, keeping its buckets.
    mutating func removeAll() {
        buckets.update(repeating: 0, count: capacity)
        count = 0
    }

    private mutating func grow() {
        let oldBuckets = buckets
        let oldCapacity = capacity
        let size = oldCapacity * 2
        buckets = .allocate(capacity: size)
        buckets.initialize(repeating: 0, count: size)
        mask = size - 1
        for k in 0..<oldCapacity {
            let bucket = oldBuckets[k]
            guard bucket != 0 else { continue }
            var i = Int(UInt32(truncatingIfNeeded: bucket >> 32)) & mask
            while buckets[i] != 0 { i = (i + 1) & mask }
            buckets[i] = bucket
        }
        oldBuckets.deallocate()
    }
}

/// The groups of one correlation, found by their key bytes (the group-by values joined by a separator): an
/// open-addressing table of slot numbers over flat per-slot storage of each group's key, its hash and the lengths
/// of its group-by values.
///
/// A correlation's groups come and go all the time (57% of the benchmark's correlation matches made a new group:
/// every pair of addresses of a transfer rule, every source of a scan rule). As a dictionary of group objects, a
/// new group cost an object, an array of its values, a key text and a dictionary insertion; here it costs a hash
/// of the key's bytes, a probe and a copy of the key into its slot, and a freed slot (and whatever the caller
/// keeps per slot) is reused by the next group. Keys up to `inlineKeyBytes` live in one flat block; longer ones
/// (long domain names, pairs of IPv6 addresses) in a side table by slot.
///
/// The hash is seeded per store and mixes whole words, so that keys chosen by a sender cannot be lined up into
/// one probe run without knowing the seed; the table is kept at most half full.
final class CorrelationGroupStore {
    /// Key bytes kept in the flat block per slot.
    static let inlineKeyBytes = 64

    /// Group-by values per group (the key's parts).
    let parts: Int
    /// Groups held.
    private(set) var count = 0
    /// Slots made so far (live or free): per-slot storage the caller keeps has this many elements.
    private(set) var slotsMade = 0
    private var slotCapacity = 0
    private var freeSlots: [Int32] = []
    /// Per bucket, the slot of the group there, or -1.
    private var buckets: UnsafeMutablePointer<Int32>
    private var bucketMask = 0
    /// Per slot: the key's hash, its length (-1: a free slot), its first `inlineKeyBytes` bytes, and per part the
    /// value's length (-1: the match had no such field).
    private var hashes: UnsafeMutablePointer<UInt64>
    private var keyLengths: UnsafeMutablePointer<Int32>
    private var keyBytes: UnsafeMutablePointer<UInt8>
    private var partLengths: UnsafeMutablePointer<Int32>
    private var longKeys: [Int32: [UInt8]] = [:]
    private let seed: UInt64

    /// A store for groups of `parts` group-by values; `seed` fixes the hash (random unless a test needs one).
    init(parts: Int, seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.parts = max(parts, 0)
        self.seed = seed
        bucketMask = 15
        buckets = .allocate(capacity: 16)
        buckets.initialize(repeating: -1, count: 16)
        hashes = .allocate(capacity: 1)
        keyLengths = .allocate(capacity: 1)
        keyBytes = .allocate(capacity: 1)
        partLengths = .allocate(capacity: 1)
    }

    deinit {
        buckets.deallocate()
        hashes.deallocate()
        keyLengths.deallocate()
        keyBytes.deallocate()
        partLengths.deallocate()
    }

    /// The hash of a key: its length and its bytes, a word at a time, each word folded through a full-width
    /// multiply with the seed.
    func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let k0: UInt64 = 0xA076_1D64_78BD_642F
        let k1: UInt64 = 0xE703_7ED1_A0B4_28DB
        var h = seed ^ (UInt64(truncatingIfNeeded: key.count) &* k0)
        guard let base = key.baseAddress else { return Self.fold(h ^ k1, k0) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= key.count {
            h = Self.fold(h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self), k1)
            i += 8
        }
        let rest = key.count - i
        if rest > 0 {
            // The bytes after the last whole word in one or two loads rather than one at a time (the length,
            // mixed in first, tells tails of different lengths apart): the key's last eight bytes, or two
            // overlapping halves, or the first, middle and last of one to three bytes.
            let tail: UInt64
            if key.count >= 8 {
                tail = raw.loadUnaligned(fromByteOffset: key.count - 8, as: UInt64.self) >> UInt64(64 - 8 * rest)
            } else if rest >= 4 {
                let low = UInt64(raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
                let high = UInt64(raw.loadUnaligned(fromByteOffset: rest - 4, as: UInt32.self))
                tail = low | high << UInt64(8 * (rest - 4))
            } else {
                tail = UInt64(base[0]) | UInt64(base[rest >> 1]) << 8 | UInt64(base[rest - 1]) << 16
            }
            h = Self.fold(h ^ tail, k1)
        }
        return Self.fold(h ^ k0, k1 ^ seed)
    }

    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        return high ^ low
    }

    /// The slot of the group with this key (`hash` from `hash(_:)`), or -1.
    func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int32 {
        var bucket = Int(truncatingIfNeeded: hash) & bucketMask
        while true {
            let slot = buckets[bucket]
            if slot < 0 { return -1 }
            if hashes[Int(slot)] == hash && keyEquals(Int(slot), key) { return slot }
            bucket = (bucket + 1) & bucketMask
        }
    }

    /// Adds a group (its key must not be held yet) and returns its slot: a freed one when there is one.
    /// `partLength(i)` gives the length of group-by value `i` (-1 when absent), kept for `part(_:of:)`.
    func insert(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, partLength: (Int) -> Int32) -> Int32 {
        if (count + 1) * 2 > bucketMask + 1 { growBuckets() }
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            if slotsMade == slotCapacity { growSlots() }
            slot = Int32(slotsMade)
            slotsMade += 1
        }
        let s = Int(slot)
        hashes[s] = hash
        keyLengths[s] = Int32(key.count)
        if let base = key.baseAddress, !key.isEmpty {
            let kept = min(key.count, Self.inlineKeyBytes)
            (keyBytes + s * Self.inlineKeyBytes).update(from: base, count: kept)
            if key.count > Self.inlineKeyBytes { longKeys[slot] = Array(key) }
        }
        for i in 0..<parts { partLengths[s * parts + i] = partLength(i) }
        place(slot, hash: hash)
        count += 1
        return slot
    }

    /// Removes the group in `slot`; its slot is reused by a later `insert`.
    func remove(_ slot: Int32) {
        let s = Int(slot)
        guard s >= 0, s < slotsMade, keyLengths[s] >= 0 else { return }
        // Find the bucket, then close the gap: later entries of the run move back when their home allows it, so
        // that no probe run is cut by an empty bucket (no tombstones to sweep).
        var bucket = Int(truncatingIfNeeded: hashes[s]) & bucketMask
        while buckets[bucket] != slot { bucket = (bucket + 1) & bucketMask }
        var gap = bucket
        var next = (gap + 1) & bucketMask
        while buckets[next] >= 0 {
            let home = Int(truncatingIfNeeded: hashes[Int(buckets[next])]) & bucketMask
            // The entry at `next` may fill the gap when its home is not in the cyclic range (gap, next].
            let distanceToNext = (next - home) & bucketMask
            let distanceToGap = (next - gap) & bucketMask
            if distanceToNext >= distanceToGap {
                buckets[gap] = buckets[next]
                gap = next
            }
            next = (next + 1) & bucketMask
        }
        buckets[gap] = -1
        if keyLengths[s] > Int32(Self.inlineKeyBytes) { longKeys[slot] = nil }
        keyLengths[s] = -1
        freeSlots.append(slot)
        count -= 1
    }

    /// Whether `slot` holds a group.
    func isLive(_ slot: Int32) -> Bool { slot >= 0 && Int(slot) < slotsMade && keyLengths[Int(slot)] >= 0 }

    /// The slots that hold groups, in slot order.
    var liveSlots: [Int32] {
        var live: [Int32] = []
        live.reserveCapacity(count)
        for s in 0..<slotsMade where keyLengths[s] >= 0 { live.append(Int32(s)) }
        return live
    }

    /// Calls `body` with the key bytes of the group in `slot`.
    func withKey<R>(_ slot: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let s = Int(slot)
        let length = Int(keyLengths[s])
        if length > Self.inlineKeyBytes, let long = longKeys[slot] { return try long.withUnsafeBufferPointer(body) }
        return try body(UnsafeBufferPointer(start: keyBytes + s * Self.inlineKeyBytes, count: max(length, 0)))
    }

    /// The bytes of group-by value `part` of the group in `slot` (it starts after the earlier parts and one
    /// separator byte each), or nil when the match that made the group had no such field.
    func part(_ part: Int, of slot: Int32) -> [UInt8]? {
        let s = Int(slot)
        guard part >= 0, part < parts, partLengths[s * parts + part] >= 0 else { return nil }
        var start = 0
        for earlier in 0..<part { start += max(Int(partLengths[s * parts + earlier]), 0) + 1 }
        let length = Int(partLengths[s * parts + part])
        return withKey(slot) { key in
            guard start + length <= key.count else { return [] }
            return Array(UnsafeBufferPointer(rebasing: key[start..<(start + length)]))
        }
    }

    private func keyEquals(_ s: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let length = Int(keyLengths[s])
        guard length == key.count else { return false }
        guard let base = key.baseAddress, length > 0 else { return true }
        if length > Self.inlineKeyBytes {
            guard let long = longKeys[Int32(s)] else { return false }
            return long.withUnsafeBufferPointer { bytesEqual($0.baseAddress, base, length) }
        }
        return bytesEqual(keyBytes + s * Self.inlineKeyBytes, base, length)
    }

    /// Whether `count` bytes at `a` and `b` are equal, a word at a time.
    private func bytesEqual(_ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        guard let a else { return false }
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        var i = 0
        while i + 8 <= count {
            if x.loadUnaligned(fromByteOffset: i, as: UInt64.self) != y.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    private func place(_ slot: Int32, hash: UInt64) {
        var bucket = Int(truncatingIfNeeded: hash) & bucketMask
        while buckets[bucket] >= 0 { bucket = (bucket + 1) & bucketMask }
        buckets[bucket] = slot
    }

    private func growBuckets() {
        let size = (bucketMask + 1) * 2
        buckets.deallocate()
        buckets = .allocate(capacity: size)
        buckets.initialize(repeating: -1, count: size)
        bucketMask = size - 1
        for s in 0..<slotsMade where keyLengths[s] >= 0 { place(Int32(s), hash: hashes[s]) }
    }

    private func growSlots() {
        let capacity = max(64, slotCapacity * 2)
        hashes = FlatStorage.regrown(hashes, count: slotsMade, capacity: capacity)
        keyLengths = FlatStorage.regrown(keyLengths, count: slotsMade, capacity: capacity)
        keyBytes = FlatStorage.regrown(keyBytes, count: slotsMade * Self.inlineKeyBytes, capacity: capacity * Self.inlineKeyBytes)
        partLengths = FlatStorage.regrown(partLengths, count: slotsMade * parts, capacity: capacity * parts)
        slotCapacity = capacity
    }
}

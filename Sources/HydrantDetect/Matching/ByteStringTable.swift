/// An open-addressing hash table from byte strings to lists of ids, looked up with a pointer and length so
/// that a record's values are checked without building keys.
struct ByteStringTable: Sendable {
    private var keys: [UInt8] = []
    /// Per slot: key start in `keys` (-1 when empty), key length, and the id list range in `ids`.
    private var slotStart: [Int32] = []
    private var slotLength: [Int32] = []
    private var slotIDs: [Range<Int32>] = []
    private var slotHash: [UInt64] = []
    private var ids: [Int32] = []
    private var mask = 0
    /// The distinct key lengths, ascending (used for prefix and suffix lookups).
    private(set) var lengths: [Int] = []

    var isEmpty: Bool { ids.isEmpty }

    /// Builds the table from (key, id) pairs.
    init(_ pairs: [([UInt8], Int32)]) {
        var grouped: [[UInt8]: [Int32]] = [:]
        for (key, id) in pairs { grouped[key, default: []].append(id) }
        var capacity = 8
        while capacity < grouped.count * 2 { capacity *= 2 }
        mask = capacity - 1
        slotStart = Array(repeating: -1, count: capacity)
        slotLength = Array(repeating: 0, count: capacity)
        slotIDs = Array(repeating: 0..<0, count: capacity)
        slotHash = Array(repeating: 0, count: capacity)
        var lengthSet = Set<Int>()
        for (key, list) in grouped.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let hash = key.withUnsafeBufferPointer { Self.hash($0.baseAddress, $0.count) }
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slotStart[slot] >= 0 { slot = (slot + 1) & mask }
            slotStart[slot] = Int32(keys.count)
            slotLength[slot] = Int32(key.count)
            slotHash[slot] = hash
            keys += key
            let first = Int32(ids.count)
            ids += Array(Set(list)).sorted()
            slotIDs[slot] = first..<Int32(ids.count)
            lengthSet.insert(key.count)
        }
        lengths = lengthSet.sorted()
    }

    /// `IndexedValueMemo.hash`, a word at a time: every value of an exact-matched field is hashed, and FNV-1a's
    /// step per byte was a tenth of the lookups' cost. No seed is needed: the table is built from rules, not from
    /// input, so the runs a probe can walk are fixed by the rules' keys. The empty key hashes alike with or
    /// without a base address.
    @inline(__always)
    static func hash(_ base: UnsafePointer<UInt8>?, _ count: Int) -> UInt64 {
        guard let base, count > 0 else { return 0 }
        return IndexedValueMemo.hash(base, count)
    }

    /// The ids stored under the bytes at `base..<base+count`, passed to `body`.
    @inline(__always)
    func lookup(_ base: UnsafePointer<UInt8>?, _ count: Int, _ body: (Int32) -> Void) {
        guard !ids.isEmpty else { return }
        let hash = Self.hash(base, count)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let start = slotStart[slot]
            if start < 0 { return }
            if slotHash[slot] == hash && Int(slotLength[slot]) == count && equal(start, base, count) {
                for i in slotIDs[slot] { body(ids[Int(i)]) }
                return
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    private func equal(_ start: Int32, _ base: UnsafePointer<UInt8>?, _ count: Int) -> Bool {
        guard let base else { return count == 0 }
        for i in 0..<count where keys[Int(start) + i] != base[i] { return false }
        return true
    }
}

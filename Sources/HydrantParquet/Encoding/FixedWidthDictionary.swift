/// A dictionary of fixed-width values (INT32, INT64, DOUBLE), keyed by their 64-bit pattern.
///
/// Open addressing over a power-of-two slot table; keys are bit patterns, so DOUBLE's -0.0 and +0.0 (and NaN
/// payloads) stay distinct entries, which keeps the round trip exact.
struct FixedWidthDictionary {
    private(set) var keys: [UInt64] = []
    private var slots: [Int32]
    private var shift: UInt64

    /// An empty value without a slot table, to swap with a column writer's dictionary while a loop works on a
    /// local copy (a local is checked for exclusive access at compile time, a stored property of a class at run
    /// time on every call).
    static var placeholder: FixedWidthDictionary { FixedWidthDictionary(slots: [], shift: 64) }

    private init(slots: [Int32], shift: UInt64) {
        self.slots = slots
        self.shift = shift
    }

    init() {
        slots = Array(repeating: -1, count: 1024)
        shift = 64 - 10
    }

    var count: Int { keys.count }

    /// The index of `key`, inserting it when new; `inserted` tells which.
    @inline(__always)
    mutating func index(of key: UInt64) -> (index: UInt32, inserted: Bool) {
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        let mask = slots.count - 1
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            if keys[Int(entry)] == key { return (UInt32(entry), false) }
            slot = (slot + 1) & mask
        }
        let index = Int32(keys.count)
        slots[slot] = index
        keys.append(key)
        if keys.count * 2 > slots.count { grow() }
        return (UInt32(index), true)
    }

    private mutating func grow() {
        let newCount = slots.count * 2
        slots = Array(repeating: -1, count: newCount)
        shift -= 1
        let mask = newCount - 1
        for (i, key) in keys.enumerated() {
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i)
        }
    }

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        if slots.count > 1024 {
            slots = Array(repeating: -1, count: 1024)
            shift = 64 - 10
        } else {
            for i in slots.indices { slots[i] = -1 }
        }
    }
}

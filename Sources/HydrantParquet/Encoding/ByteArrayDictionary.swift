#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dictionary of byte strings (BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY) stored in one arena.
///
/// Entries are hashed over their bytes in place, so a lookup costs no allocation: the caller's bytes are compared
/// against the arena with `memcmp`-style comparison only on a full hash match.
struct ByteArrayDictionary {
    let arena: ByteBuffer
    private(set) var offsets: [Int] = []
    private(set) var lengths: [Int] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var shift: UInt64

    /// An empty value without a slot table or arena, to swap with a column writer's dictionary while a loop works on a
    /// local copy (see `FixedWidthDictionary.placeholder`).
    static var placeholder: ByteArrayDictionary { ByteArrayDictionary(slots: [], shift: 64, arena: ByteBuffer(capacity: 16)) }

    private init(slots: [Int32], shift: UInt64, arena: ByteBuffer) {
        self.slots = slots
        self.shift = shift
        self.arena = arena
    }

    init() {
        arena = ByteBuffer(capacity: 1 << 16)
        slots = Array(repeating: -1, count: 1024)
        shift = 64 - 10
    }

    var count: Int { offsets.count }

    /// The bytes of entry `index`.
    func entry(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: arena.base + offsets[index], count: lengths[index])
    }

    @inline(__always)
    mutating func index(of value: UnsafeRawBufferPointer) -> (index: UInt32, inserted: Bool) {
        let hash = ByteHash.hash(value)
        var slot = Int(truncatingIfNeeded: hash >> shift)
        let mask = slots.count - 1
        let length = value.count
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            let e = Int(entry)
            if hashes[e] == hash && lengths[e] == length
                && (length == 0 || memoryEqual(arena.base + offsets[e], value.baseAddress!, length)) {
                return (UInt32(e), false)
            }
            slot = (slot + 1) & mask
        }
        let index = Int32(offsets.count)
        slots[slot] = index
        offsets.append(arena.count)
        lengths.append(length)
        hashes.append(hash)
        arena.append(value)
        if offsets.count * 2 > slots.count { grow() }
        return (UInt32(index), true)
    }

    private mutating func grow() {
        let newCount = slots.count * 2
        slots = Array(repeating: -1, count: newCount)
        shift -= 1
        let mask = newCount - 1
        for (i, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash >> shift)
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i)
        }
    }

    mutating func removeAll() {
        arena.removeAll()
        offsets.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        if slots.count > 1024 {
            slots = Array(repeating: -1, count: 1024)
            shift = 64 - 10
        } else {
            for i in slots.indices { slots[i] = -1 }
        }
    }
}

@inline(__always)
func memoryEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    memcmp(a, b, count) == 0
}

/// Unsigned lexicographic order of byte strings, the type-defined order of BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY.
@inline(__always)
func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let common = min(a.count, b.count)
    if common > 0, let pa = a.baseAddress, let pb = b.baseAddress {
        let c = memcmp(pa, pb, common)
        if c != 0 { return Int(c) }
    }
    return a.count - b.count
}

/// A fast non-cryptographic hash over bytes, eight at a time (multiply-xorshift mixing).
enum ByteHash {
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return mix(h) }
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
        }
        return mix(h)
    }

    @inline(__always)
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Remembers which trie child each short member name led to, at each position of the objects the scanner walks.
///
/// Records of one dataset repeat the same members in the same order, so the name at position 3 of `network` is
/// almost always the name seen there last time. A direct-mapped table keyed by (trie node, position, length)
/// holds that name's bytes and its child (or -1: not a field any rule reads, the usual case); a name that matches
/// the entry byte for byte skips the trie's hash. The entry is checked against the name's bytes in full, so a
/// wrong guess costs a compare and never changes a result.
///
/// One cache belongs to one engine (one task at a time).
final class MemberNameCache {
    /// Names up to this long are cached: two overlapping words cover them.
    static let maximumLength = 16
    private static let capacity = 1024

    private struct Entry {
        var node: Int32 = -2
        var length: Int32 = -1
        var first: UInt64 = 0
        var last: UInt64 = 0
        var child: Int32 = -1
    }

    private let entries: UnsafeMutablePointer<Entry>

    init() {
        entries = .allocate(capacity: Self.capacity)
        entries.initialize(repeating: Entry(), count: Self.capacity)
    }

    deinit { entries.deallocate() }

    /// The first and last eight bytes of a name of 8 to 16 bytes, or its bytes and zeros when shorter; the caller
    /// makes sure 8 bytes can be read at `name`.
    @inline(__always)
    static func words(_ name: UnsafePointer<UInt8>, _ length: Int) -> (UInt64, UInt64) {
        let raw = UnsafeRawPointer(name)
        let first = raw.loadUnaligned(as: UInt64.self)
        if length >= 8 { return (first, raw.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)) }
        // Little-endian: the name's bytes are the low `length` bytes of the word.
        let mask: UInt64 = length == 0 ? 0 : UInt64.max >> UInt64(64 - 8 * length)
        return (UInt64(littleEndian: first) & mask, 0)
    }

    @inline(__always)
    private static func slot(_ node: Int, _ position: Int, _ length: Int) -> Int {
        let mixed = UInt32(truncatingIfNeeded: node) &* 0x9E37_79B1 ^ UInt32(truncatingIfNeeded: position) &* 0x85EB_CA6B
            ^ UInt32(truncatingIfNeeded: length) &* 0xC2B2_AE35
        return Int(mixed >> 22)
    }

    /// The child remembered for this name at (`node`, `position`), or nil when the entry holds another name.
    @inline(__always)
    func child(node: Int, position: Int, length: Int, words: (UInt64, UInt64)) -> Int? {
        let entry = entries[Self.slot(node, position, length)]
        guard Int(entry.node) == node, Int(entry.length) == length, entry.first == words.0, entry.last == words.1
        else { return nil }
        return Int(entry.child)
    }

    /// Remembers that this name at (`node`, `position`) leads to `child`.
    @inline(__always)
    func remember(node: Int, position: Int, length: Int, words: (UInt64, UInt64), child: Int) {
        entries[Self.slot(node, position, length)] = Entry(node: Int32(truncatingIfNeeded: node), length: Int32(length),
                                                           first: words.0, last: words.1,
                                                           child: Int32(truncatingIfNeeded: child))
    }
}

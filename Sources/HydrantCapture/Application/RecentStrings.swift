#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Strings of recently seen texts, by a hash of their bytes, so that a text seen again (a DNS name asked by every
/// client, a query's name in its response, a browser's User-Agent on each request) is not made into a new String,
/// nor freed again when its record is done with.
///
/// A fixed table: a text takes its slot from whatever held it, so the table holds at most `slots` Strings, each of
/// one text that was made anyway. Colliding texts (by chance or by design) at worst cost the String they would have
/// cost without the table. Not thread-safe: one per parser.
final class RecentStrings {
    private let strings: UnsafeMutablePointer<String>
    private let mask: Int
    /// Texts longer than this are made afresh and not kept, so the table's memory stays small.
    private let longest: Int

    /// A table of `slots` Strings (rounded up to a power of two) of texts up to `longest` bytes.
    init(slots: Int, longest: Int) {
        var size = 1
        while size < max(slots, 1) { size <<= 1 }
        mask = size - 1
        self.longest = longest
        strings = .allocate(capacity: size)
        strings.initialize(repeating: "", count: size)
    }

    deinit {
        strings.deinitialize(count: mask + 1)
        strings.deallocate()
    }

    /// `String(decoding: bytes, as: UTF8.self)`: the String kept for the same bytes when the table holds it.
    @inline(__always)
    func string(_ bytes: UnsafeRawBufferPointer) -> String {
        let count = bytes.count
        guard count <= longest, let base = bytes.baseAddress else { return String(decoding: bytes, as: UTF8.self) }
        let slot = Int(truncatingIfNeeded: TextHash.hash(bytes)) & mask
        // A kept String of other bytes, or of bytes that were not UTF-8 (repaired, so its bytes differ), is no match.
        let same = strings[slot].utf8.count == count && strings[slot].withUTF8 { kept in
            guard let keptBase = kept.baseAddress else { return false }
            return memcmp(keptBase, base, count) == 0
        }
        if same { return strings[slot] }
        let made = String(decoding: bytes, as: UTF8.self)
        strings[slot] = made
        return made
    }
}

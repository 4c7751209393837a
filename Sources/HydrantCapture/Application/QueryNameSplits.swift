import HydrantRecords

/// The registered domain and subdomain of recent query names (nil: the name has no registered domain), so that the
/// names asked again and again are not walked through the Public Suffix List each time.
///
/// A fixed table of slots chosen by a hash of the name's bytes (word-at-a-time, not `Hasher`'s SipHash over the
/// String): a name takes its slot from whatever held it, so memory stays bounded whatever the traffic, and names
/// that collide (by chance or by design) at worst cost the split they would have cost without the table.
struct QueryNameSplits {
    /// A split: the registered domain and, when the name is longer, the labels in front of it.
    typealias Parts = (registeredDomain: String, subdomain: String?)

    private struct Entry {
        var name: String
        var parts: Parts?
    }

    private var slots: [Entry?]
    private let mask: Int

    /// An empty table of `capacity` slots (rounded up to a power of two).
    init(capacity: Int = 4096) {
        var size = 1
        while size < max(capacity, 1) { size <<= 1 }
        slots = Array(repeating: nil, count: size)
        mask = size - 1
    }

    /// The slot `name` belongs in.
    @inline(__always)
    func slot(of name: String) -> Int {
        var name = name
        let hash = name.withUTF8 { TextHash.hash(UnsafeRawBufferPointer($0)) }
        return Int(truncatingIfNeeded: hash) & mask
    }

    /// The split kept for `name` in `slot` (`.some(nil)`: kept as having no registered domain), or nil when the slot
    /// holds another name or none.
    @inline(__always)
    func parts(of name: String, in slot: Int) -> Parts?? {
        guard let entry = slots[slot], entry.name == name else { return nil }
        return .some(entry.parts)
    }

    /// Keeps `parts` as `name`'s split in `slot`, in place of what it held.
    @inline(__always)
    mutating func keep(_ parts: Parts?, for name: String, in slot: Int) {
        slots[slot] = Entry(name: name, parts: parts)
    }
}

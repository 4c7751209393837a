/// A short text as correlations keep it (a group-by or value field, a Community ID): its UTF-8 bytes held inline
/// up to `inlineCapacity` bytes, longer ones in an array.
///
/// Every match that feeds a correlation carries a few of these, and groups and their windows keep them: held
/// inline, an address, a port or a Community ID costs no allocation and no reference counting when it is copied,
/// and hashing it reads six words rather than running a `String` through `Hasher` byte by byte.
struct InlineText: Hashable, Sendable, CustomStringConvertible {
    /// The longest text held without allocating (an IPv6 address in text is at most 45 bytes).
    static let inlineCapacity = 48

    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    /// The empty text.
    static let empty = InlineText(UnsafeBufferPointer(start: nil, count: 0))

    /// Length in bytes.
    let count: Int
    /// The bytes of a text longer than `inlineCapacity` (nil otherwise).
    private var spill: [UInt8]?

    /// The text of `bytes`.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        count = bytes.count
        if count > Self.inlineCapacity {
            spill = Array(bytes)
        } else if let base = bytes.baseAddress, count > 0 {
            withUnsafeMutableBytes(of: &words) { $0.baseAddress?.copyMemory(from: base, byteCount: count) }
        }
    }

    /// The texts at `indexes` of `parts` (an absent one as empty) joined by `separator`: the same text as joining
    /// their bytes first, without the intermediate array when the result fits inline.
    init(joining indexes: [Int], of parts: [InlineText?], separator: UInt8) {
        var total = max(indexes.count - 1, 0)
        for index in indexes { total += parts[index]?.count ?? 0 }
        count = total
        if total > Self.inlineCapacity {
            var joined: [UInt8] = []
            joined.reserveCapacity(total)
            for (position, index) in indexes.enumerated() {
                if position > 0 { joined.append(separator) }
                parts[index]?.withBytes { joined.append(contentsOf: $0) }
            }
            spill = joined
            return
        }
        withUnsafeMutableBytes(of: &words) { raw in
            var at = 0
            for (position, index) in indexes.enumerated() {
                if position > 0 {
                    raw[at] = separator
                    at += 1
                }
                let start = at
                let written = parts[index]?.withBytes { bytes -> Int in
                    UnsafeMutableRawBufferPointer(rebasing: raw[start..<(start + bytes.count)])
                        .copyMemory(from: UnsafeRawBufferPointer(bytes))
                    return bytes.count
                }
                at += written ?? 0
            }
        }
    }

    /// The UTF-8 bytes of `string`.
    init(_ string: String) {
        var string = string
        self = string.withUTF8 { InlineText($0) }
    }

    /// The text as a `String` (invalid UTF-8 repaired, as `String(decoding:as:)` does).
    var string: String {
        withBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// The text, for diagnostics.
    var description: String { string }

    /// Calls `body` with the text's bytes.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let spill { return try spill.withUnsafeBufferPointer(body) }
        var copy = words
        return try withUnsafeBytes(of: &copy) { raw in
            try body(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: count))
        }
    }

    /// A mix of the text's bytes: equal texts have equal fingerprints, so unequal fingerprints rule equality out
    /// with one compare.
    var fingerprint: UInt64 { mixed }

    /// A multiply-xor mix of the words (unused inline bytes are zero, so equal texts mix equally).
    private var mixed: UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = UInt64(truncatingIfNeeded: count) &* k
        if let spill {
            for byte in spill { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
            return h
        }
        h = (h ^ words.0) &* k; h ^= h >> 29
        h = (h ^ words.1) &* k; h ^= h >> 29
        if count > 16 {
            h = (h ^ words.2) &* k; h ^= h >> 29
            h = (h ^ words.3) &* k; h ^= h >> 29
            h = (h ^ words.4) &* k; h ^= h >> 29
            h = (h ^ words.5) &* k; h ^= h >> 29
        }
        return h
    }

    func hash(into hasher: inout Hasher) { hasher.combine(mixed) }

    /// The hash a `Dictionary` or `Set` asks for, finished with a 64-bit avalanche instead of a run of `Hasher`
    /// (SipHash): group and distinct-value tables are looked up once or twice per correlation match. The seed is
    /// mixed in, so tables still differ in their layout.
    func _rawHashValue(seed: Int) -> Int {
        var h = mixed ^ UInt64(bitPattern: Int64(seed))
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    static func == (a: InlineText, b: InlineText) -> Bool {
        guard a.count == b.count else { return false }
        if a.count > inlineCapacity { return a.spill == b.spill }
        return a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
            && a.words.3 == b.words.3 && a.words.4 == b.words.4 && a.words.5 == b.words.5
    }
}

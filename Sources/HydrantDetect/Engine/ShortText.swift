/// A short text, or its absence, as a correlation window keeps one per entry (the match's Community ID): up to
/// `inlineCapacity` bytes held inline, longer ones in an array.
///
/// A window holds an entry per match for as long as its timespan, so the entry's size is what the windows of a
/// busy correlation cost in memory and in cache misses. A Community ID is 30 bytes; `InlineText` keeps 48 and an
/// optional around it, which made the evidence the largest part of every entry. Absence is a length of -1
/// rather than an optional, which would add a byte and round the entry up.
struct ShortText: Hashable, Sendable {
    /// The longest text held without allocating (a Community ID v1 is 30 bytes).
    static let inlineCapacity = 32

    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Length in bytes; -1 when absent.
    private let length: Int32
    /// The bytes of a text longer than `inlineCapacity` (nil otherwise).
    private var spill: [UInt8]?

    /// No text.
    static let absent = ShortText()

    private init() { length = -1 }

    /// The text of `text`, or `absent` for nil.
    init(_ text: InlineText?) {
        guard let text else { self.init(); return }
        self = text.withBytes { ShortText(bytes: $0) }
    }

    /// The text of `bytes`.
    init(bytes: UnsafeBufferPointer<UInt8>) {
        length = Int32(truncatingIfNeeded: bytes.count)
        if bytes.count > Self.inlineCapacity {
            spill = Array(bytes)
        } else if let base = bytes.baseAddress, bytes.count > 0 {
            withUnsafeMutableBytes(of: &words) { $0.baseAddress?.copyMemory(from: base, byteCount: bytes.count) }
        }
    }

    /// Whether there is no text.
    var isAbsent: Bool { length < 0 }

    /// The text as a `String` (invalid UTF-8 repaired, as `String(decoding:as:)` does); nil when absent.
    var string: String? {
        guard length >= 0 else { return nil }
        if let spill { return String(decoding: spill, as: UTF8.self) }
        var copy = words
        return withUnsafeBytes(of: &copy) { raw in
            String(decoding: UnsafeRawBufferPointer(rebasing: raw[0..<Int(length)]), as: UTF8.self)
        }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(length)
        if let spill { hasher.combine(spill); return }
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    static func == (a: ShortText, b: ShortText) -> Bool {
        guard a.length == b.length else { return false }
        if a.length > inlineCapacity { return a.spill == b.spill }
        return a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }
}

/// Record times (`@timestamp`) parsed with the calendar work of a recent one of the same second reused.
///
/// The rule engine reads a record's time for every record with a correlation match or an alert, and the delivery
/// stream for every record whose prefix uses event time. Flow records carry their flow's start, so consecutive
/// records alternate between a few seconds rather than follow one another; the text up to the seconds (`2024-01-01T00:00:00`) of recent times is kept in a small
/// direct-mapped table with the time it spells. For the common form, nine fraction digits and `Z`, a time whose
/// second is in the table is that second plus the new fraction; anything else takes `Timestamp(parsingRFC3339:)`,
/// whose answer this always equals.
public final class RecordTimeCache {
    /// The length of the cached form: `YYYY-MM-DDTHH:MM:SS.fffffffffZ`.
    static let cachedLength = 30
    /// Seconds kept (a power of two).
    static let entries = 64

    /// One second: the first 19 bytes of a text of the cached form that parsed, as three overlapping words (bytes
    /// 0–7, 8–15 and 11–18), and that text's time less its fraction (wrapping, as
    /// `Timestamp(seconds:nanoseconds:)` adds them).
    private struct Second {
        var prefix: (UInt64, UInt64, UInt64)
        var base: Int64
        var valid: Bool
    }

    private let table: UnsafeMutablePointer<Second>

    /// Creates an empty cache.
    public init() {
        table = .allocate(capacity: Self.entries)
        table.initialize(repeating: Second(prefix: (0, 0, 0), base: 0, valid: false), count: Self.entries)
    }

    deinit {
        table.deinitialize(count: Self.entries)
        table.deallocate()
    }

    /// `Timestamp(parsingRFC3339: text)`.
    public func parse(_ text: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        guard text.count == Self.cachedLength, let bytes = text.baseAddress,
              bytes[19] == UInt8(ascii: "."), bytes[29] == UInt8(ascii: "Z") else {
            return Timestamp(parsingRFC3339: text)
        }
        var fraction: Int64 = 0
        for i in 20..<29 {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return Timestamp(parsingRFC3339: text) }
            fraction = fraction &* 10 &+ Int64(digit)
        }
        let raw = UnsafeRawPointer(bytes)
        let words = (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                     raw.loadUnaligned(fromByteOffset: 11, as: UInt64.self))
        // Bytes 8–18 hold the day, hour, minute and second.
        let index = Int(truncatingIfNeeded: ((words.1 ^ words.2) &* 0x9E37_79B9_7F4A_7C15) >> 58) & (Self.entries - 1)
        let entry = table[index]
        if entry.valid && entry.prefix == words { return Timestamp(nanoseconds: entry.base &+ fraction) }
        guard let parsed = Timestamp(parsingRFC3339: text) else { return nil }
        table[index] = Second(prefix: words, base: parsed.nanoseconds &- fraction, valid: true)
        return parsed
    }
}

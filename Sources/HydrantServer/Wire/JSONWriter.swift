/// Writes JSON straight into bytes: responses are built without `JSONSerialization` or `Codable`.
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends `text` as is (punctuation and member names the caller knows need no escaping).
    @inline(__always)
    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `text` as a JSON string: quoted, with `"`, `\` and control characters escaped.
    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            if !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case 0x22: raw("\\\"")
                case 0x5C: raw("\\\\")
                case 0x0A: raw("\\n")
                case 0x0D: raw("\\r")
                case 0x09: raw("\\t")
                case 0..<0x20:
                    raw("\\u00")
                    let digits: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(digits[Int(byte >> 4)])
                    bytes.append(digits[Int(byte & 0x0F)])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends an integer.
    public mutating func int(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Appends a boolean.
    public mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    /// Appends epoch seconds with millisecond precision (how the JSON protocol sends timestamps).
    public mutating func epochSeconds(nanoseconds: Int64) {
        let milliseconds = nanoseconds / 1_000_000
        let whole = milliseconds / 1000
        let fraction = milliseconds % 1000
        if milliseconds < 0 && fraction != 0 {
            // Negative instants do not occur here; keep the output valid anyway.
            bytes.append(contentsOf: String(Double(milliseconds) / 1000).utf8)
            return
        }
        bytes.append(contentsOf: String(whole).utf8)
        bytes.append(UInt8(ascii: "."))
        let digits = String(fraction)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 3 - digits.utf8.count))
        bytes.append(contentsOf: digits.utf8)
    }
}

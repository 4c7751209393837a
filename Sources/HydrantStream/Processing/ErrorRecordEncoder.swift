import HydrantRecords

/// Writes a failed record in Firehose's error output envelope, one JSON document per line:
///
///     {"attemptsMade":1,"arrivalTimestamp":1594265943615,"errorCode":"…","errorMessage":"…",
///      "attemptEndingTimestamp":1594266081318,"rawData":"<base64 of the record>"}
///
/// Timestamps are epoch milliseconds, as in Firehose's examples. Hydrant's processors run once, so
/// `attemptsMade` is 1.
public enum ErrorRecordEncoder {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends the envelope of `record` (without a trailing newline) to `out`.
    public static func append(record: UnsafeBufferPointer<UInt8>, arrival: Timestamp, attemptEnding: Timestamp,
                              errorCode: String, errorMessage: String, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"attemptsMade":1,"arrivalTimestamp":"#.utf8)
        out.append(contentsOf: String(milliseconds(arrival)).utf8)
        out.append(contentsOf: #","errorCode":"#.utf8)
        appendJSONString(errorCode, to: &out)
        out.append(contentsOf: #","errorMessage":"#.utf8)
        appendJSONString(errorMessage, to: &out)
        out.append(contentsOf: #","attemptEndingTimestamp":"#.utf8)
        out.append(contentsOf: String(milliseconds(attemptEnding)).utf8)
        out.append(contentsOf: #","rawData":""#.utf8)
        appendBase64(record, to: &out)
        out.append(contentsOf: #""}"#.utf8)
    }

    /// Milliseconds since the epoch, rounded down.
    static func milliseconds(_ time: Timestamp) -> Int64 {
        let (quotient, _) = time.nanoseconds.floorDivided(by: 1_000_000)
        return quotient
    }

    /// Appends `text` as a JSON string literal.
    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends standard padded base64 of `bytes`.
    static func appendBase64(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + (bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(alphabet[Int(value & 63)])
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let value = UInt32(bytes[index]) << 16
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(contentsOf: [UInt8(ascii: "="), UInt8(ascii: "=")])
        } else if rest == 2 {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        }
    }
}

/// Reads domain names in RFC 1035 wire form (with section 4.1.4 compression) into presentation text.
///
/// Hostile messages are the norm here, so every compression pointer must point strictly before the start of the
/// stretch of labels being read: that makes each jump move backwards past everything read so far, which rules
/// out loops by construction, and the jump and label counts bound the work besides.
public enum DNSName {
    /// Longest name in wire form, length bytes and the root label included (RFC 1035 section 2.3.4).
    public static let maximumWireLength = 255
    /// Most labels one name may have; the 255-byte limit already allows at most 127.
    public static let maximumLabels = 128
    /// Most compression pointers one name may follow.
    public static let maximumPointerJumps = 128

    /// Reads the name starting at `start` of `message` and returns the offset just after it in line (after its
    /// root label or its first compression pointer). When `emit` is true, `text` is replaced by the name in
    /// presentation form: lower case, labels joined by `.`, no trailing dot, the root as `.`, and bytes escaped as
    /// `dig` does (`\.`, `\\`, `\"` and the other zone-file specials, `\DDD` for the unprintable).
    static func read(_ message: UnsafeRawBufferPointer, at start: Int, part: DNSParseError.Part,
                     into text: inout [UInt8], emit: Bool) throws(DNSParseError) -> Int {
        let count = message.count
        var position = start
        var segmentStart = start
        var end = -1
        var wireLength = 1
        var labels = 0
        var jumps = 0
        if emit { text.removeAll(keepingCapacity: true) }
        while true {
            guard position >= 0, position < count else { throw .truncated(part, offset: position) }
            let length = Int(message[position])
            if length == 0 {
                if emit, text.isEmpty { text.append(UInt8(ascii: ".")) }
                return end >= 0 ? end : position + 1
            }
            if length & 0xc0 == 0xc0 {
                guard position + 1 < count else { throw .truncated(part, offset: position) }
                let target = (length & 0x3f) << 8 | Int(message[position + 1])
                if end < 0 { end = position + 2 }
                if target >= position { throw .pointerForward(offset: position, target: target) }
                if target >= segmentStart { throw .pointerLoop(offset: position, target: target) }
                jumps += 1
                if jumps > maximumPointerJumps { throw .tooManyPointers(offset: start) }
                segmentStart = target
                position = target
                continue
            }
            if length > 63 { throw .labelTooLong(offset: position, length: length) }
            labels += 1
            if labels > maximumLabels { throw .tooManyLabels(offset: start) }
            wireLength += length + 1
            if wireLength > maximumWireLength { throw .nameTooLong(offset: start) }
            guard position + 1 + length <= count else { throw .truncated(part, offset: position) }
            if emit {
                if !text.isEmpty { text.append(UInt8(ascii: ".")) }
                appendLabel(UnsafeRawBufferPointer(rebasing: message[(position + 1)..<(position + 1 + length)]), to: &text)
            }
            position += 1 + length
        }
    }

    /// Appends one label lower-cased and escaped as `dig` prints it.
    static func appendLabel(_ label: UnsafeRawBufferPointer, to text: inout [UInt8]) {
        // Most labels need no escape: copied whole and lower-cased in place, instead of appended byte by byte with a
        // capacity check each. A label that needs one is taken back and appended by the escaping loop.
        let start = text.count
        text.append(contentsOf: label)
        let clean = text.withUnsafeMutableBufferPointer { buffer -> Bool in
            for index in start..<buffer.count {
                let byte = buffer[index]
                if byte &- UInt8(ascii: "A") < 26 {
                    buffer[index] = byte | 0x20
                } else if byte < 0x21 || byte > 0x7e || needsEscape(byte) {
                    return false
                }
            }
            return true
        }
        if clean { return }
        text.removeLast(text.count - start)
        for byte in label {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                text.append(byte | 0x20)
            case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ")"),
                 UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                text.append(UInt8(ascii: "\\"))
                text.append(byte)
            case 0x21...0x7e:
                text.append(byte)
            default:
                appendDecimalEscape(byte, to: &text)
            }
        }
    }

    /// Whether a printable byte is one of the zone-file specials that `dig` escapes with a backslash.
    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "$"):
            return true
        default:
            return false
        }
    }

    /// Appends `\DDD`, the three-digit decimal escape of zone files (RFC 1035 section 5.1).
    static func appendDecimalEscape(_ byte: UInt8, to text: inout [UInt8]) {
        text.append(UInt8(ascii: "\\"))
        text.append(UInt8(ascii: "0") + byte / 100)
        text.append(UInt8(ascii: "0") + byte / 10 % 10)
        text.append(UInt8(ascii: "0") + byte % 10)
    }
}

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
    /// root label or its first compression pointer). When `text` is given, the name in presentation form is written
    /// there and its length set in `length`: lower case, labels joined by `.`, no trailing dot, the root as `.`, and
    /// bytes escaped as `dig` does (`\.`, `\\`, `\"` and the other zone-file specials, `\DDD` for the unprintable).
    /// `text` must have room for `DNSParseScratch.nameCapacity` bytes, which the name's limits keep it within.
    static func read(_ message: UnsafeRawBufferPointer, at start: Int, part: DNSParseError.Part,
                     into text: UnsafeMutablePointer<UInt8>?, length: inout Int) throws(DNSParseError) -> Int {
        let count = message.count
        guard let bytes = message.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw .truncated(part, offset: start)
        }
        var position = start
        var segmentStart = start
        var end = -1
        var wireLength = 1
        var labels = 0
        var jumps = 0
        var written = 0
        while true {
            guard position >= 0, position < count else { throw .truncated(part, offset: position) }
            let labelLength = Int(bytes[position])
            if labelLength == 0 {
                if let text {
                    if written == 0 {
                        text[0] = UInt8(ascii: ".")
                        written = 1
                    }
                    length = written
                }
                return end >= 0 ? end : position + 1
            }
            if labelLength & 0xc0 == 0xc0 {
                guard position + 1 < count else { throw .truncated(part, offset: position) }
                let target = (labelLength & 0x3f) << 8 | Int(bytes[position + 1])
                if end < 0 { end = position + 2 }
                if target >= position { throw .pointerForward(offset: position, target: target) }
                if target >= segmentStart { throw .pointerLoop(offset: position, target: target) }
                jumps += 1
                if jumps > maximumPointerJumps { throw .tooManyPointers(offset: start) }
                segmentStart = target
                position = target
                continue
            }
            if labelLength > 63 { throw .labelTooLong(offset: position, length: labelLength) }
            labels += 1
            if labels > maximumLabels { throw .tooManyLabels(offset: start) }
            wireLength += labelLength + 1
            if wireLength > maximumWireLength { throw .nameTooLong(offset: start) }
            guard position + 1 + labelLength <= count else { throw .truncated(part, offset: position) }
            if let text {
                // The wire length bound (checked above) keeps the text within the block: at most four characters a
                // label byte, and a dot for each length byte after the first.
                if written > 0 {
                    text[written] = UInt8(ascii: ".")
                    written += 1
                }
                written = appendLabel(UnsafeBufferPointer(start: bytes + position + 1, count: labelLength),
                                      to: text, at: written)
            }
            position += 1 + labelLength
        }
    }

    /// Writes one label lower-cased and escaped as `dig` prints it at `offset` of `text`, and returns the offset
    /// after it. `text` must have room for four bytes per label byte.
    @inline(__always)
    static func appendLabel(_ label: UnsafeBufferPointer<UInt8>, to text: UnsafeMutablePointer<UInt8>,
                            at offset: Int) -> Int {
        // Most labels need no escape: copied and lower-cased in one pass. A label that needs one is written again
        // by the escaping loop over what the first pass wrote.
        var clean = true
        var out = offset
        for byte in label {
            let upper = byte &- UInt8(ascii: "A") < 26
            text[out] = upper ? byte | 0x20 : byte
            out += 1
            if !upper, byte < 0x21 || byte > 0x7e || needsEscape(byte) { clean = false }
        }
        if clean { return out }
        out = offset
        for byte in label {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                text[out] = byte | 0x20
                out += 1
            case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ")"),
                 UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                text[out] = UInt8(ascii: "\\")
                text[out + 1] = byte
                out += 2
            case 0x21...0x7e:
                text[out] = byte
                out += 1
            default:
                text[out] = UInt8(ascii: "\\")
                text[out + 1] = UInt8(ascii: "0") + byte / 100
                text[out + 2] = UInt8(ascii: "0") + byte / 10 % 10
                text[out + 3] = UInt8(ascii: "0") + byte % 10
                out += 4
            }
        }
        return out
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

/// An enterprise-specific IPFIX information element without a mapping, kept by number when the collector is told
/// to (`keep_enterprise`): its private enterprise number, element id and raw value.
public struct NetFlowEnterpriseElement: Hashable, Sendable {
    /// The private enterprise number (IANA PEN) that defines the element.
    public var enterprise: UInt32
    /// The element id within that enterprise (without the enterprise bit).
    public var id: UInt16
    /// The value as it was on the wire (big-endian), 1 to 65535 bytes.
    public var bytes: [UInt8]

    /// An element.
    public init(enterprise: UInt32, id: UInt16, bytes: [UInt8]) {
        self.enterprise = enterprise
        self.id = id
        self.bytes = bytes
    }

    /// `<pen>.<id>=<value>`: the value as an unsigned decimal integer when it is 1 to 8 bytes (IPFIX's
    /// reduced-size integer encoding), else `0x` and lower-case hex of every byte. The collector cannot know an
    /// element's type without the enterprise's definitions, so this is the lossless form.
    public var text: String {
        var text = "\(enterprise).\(id)="
        if (1...8).contains(bytes.count) {
            var value: UInt64 = 0
            for byte in bytes { value = value << 8 | UInt64(byte) }
            text += String(value)
        } else {
            let digits: [UInt8] = Array("0123456789abcdef".utf8)
            var hex: [UInt8] = [UInt8(ascii: "0"), UInt8(ascii: "x")]
            hex.reserveCapacity(2 + bytes.count * 2)
            for byte in bytes {
                hex.append(digits[Int(byte >> 4)])
                hex.append(digits[Int(byte & 0x0F)])
            }
            text += String(decoding: hex, as: UTF8.self)
        }
        return text
    }
}

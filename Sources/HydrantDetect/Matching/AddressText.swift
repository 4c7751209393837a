import HydrantRecords

/// Reads an IP address from a record value's bytes for `cidr` tests without building a `String`: dotted IPv4
/// directly (the same rules as `IPAddress(_:)`: four decimal parts of one to three digits, each at most 255),
/// anything with a colon through `IPAddress(_:)`.
enum AddressText {
    /// The address the bytes spell, or nil when they are not one.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        if bytes.contains(UInt8(ascii: ":")) { return IPAddress(String(decoding: bytes, as: UTF8.self)) }
        var parts = 0
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        for c in bytes {
            if c == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | octet
                parts += 1
                octet = 0
                digits = 0
            } else if c &- UInt8(ascii: "0") < 10 {
                guard digits < 3 else { return nil }
                octet = octet * 10 + UInt32(c &- UInt8(ascii: "0"))
                digits += 1
                guard octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard parts == 3, digits > 0 else { return nil }
        return IPAddress(ipv4: value << 8 | octet)
    }
}

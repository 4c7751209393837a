import HydrantRecords

/// Parses address text straight from record bytes, without building a `String`: the per-record path reads
/// `source.ip` and `destination.ip` this way.
enum AddressText {
    /// The address in `bytes` (dotted quad or RFC 4291 IPv6, with `::` and an IPv4 tail), or nil.
    @inline(__always)
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        if bytes.count <= 15, let v4 = parseIPv4(bytes, from: 0, to: bytes.count) { return IPAddress(ipv4: v4) }
        return parseIPv6(bytes)
    }

    static func parse(_ text: String) -> IPAddress? {
        var copy = text
        return copy.withUTF8 { parse($0) }
    }

    @inline(__always)
    static func parseIPv4(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> UInt32? {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        var index = start
        while index < end {
            let byte = bytes[index]
            if byte == 0x2E {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                dots += 1
                octet = 0
                digits = 0
            } else {
                let digit = byte &- 0x30
                guard digit < 10, digits < 3 else { return nil }
                octet = octet * 10 + UInt32(digit)
                guard octet <= 255 else { return nil }
                digits += 1
            }
            index += 1
        }
        guard dots == 3, digits > 0 else { return nil }
        return value << 8 | octet
    }

    private static func hex(_ byte: UInt8) -> UInt16? {
        switch byte {
        case 0x30...0x39: return UInt16(byte - 0x30)
        case 0x61...0x66: return UInt16(byte - 0x61 + 10)
        case 0x41...0x46: return UInt16(byte - 0x41 + 10)
        default: return nil
        }
    }

    static func parseIPv6(_ bytes: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        guard bytes.count >= 2, bytes.count <= 45 else { return nil }
        var groups: (UInt64, UInt64) = (0, 0)
        var before: [UInt16] = []  // small, and only IPv6 text reaches here
        var after: [UInt16] = []
        var gap = false
        var index = 0
        if bytes[0] == 0x3A {
            guard bytes[1] == 0x3A else { return nil }
            gap = true
            index = 2
        }
        while index < bytes.count {
            var end = index
            var hasDot = false
            while end < bytes.count, bytes[end] != 0x3A {
                if bytes[end] == 0x2E { hasDot = true }
                end += 1
            }
            if hasDot {
                guard end == bytes.count, let v4 = parseIPv4(bytes, from: index, to: end) else { return nil }
                if gap { after.append(UInt16(v4 >> 16)); after.append(UInt16(truncatingIfNeeded: v4)) }
                else { before.append(UInt16(v4 >> 16)); before.append(UInt16(truncatingIfNeeded: v4)) }
                index = end
                break
            }
            guard end > index, end - index <= 4 else { return nil }
            var group: UInt16 = 0
            for position in index..<end {
                guard let nibble = hex(bytes[position]) else { return nil }
                group = group << 4 | nibble
            }
            if gap { after.append(group) } else { before.append(group) }
            if end == bytes.count { index = end; break }
            if end + 1 < bytes.count, bytes[end + 1] == 0x3A {
                guard !gap else { return nil }
                gap = true
                index = end + 2
            } else {
                guard end + 1 < bytes.count else { return nil }
                index = end + 1
            }
        }
        let total = before.count + after.count
        guard gap ? total < 8 : total == 8 else { return nil }
        var all = before
        if gap { all.append(contentsOf: repeatElement(0, count: 8 - total)) }
        all.append(contentsOf: after)
        for group in all[0..<4] { groups.0 = groups.0 << 16 | UInt64(group) }
        for group in all[4..<8] { groups.1 = groups.1 << 16 | UInt64(group) }
        return IPAddress(ipv6High: groups.0, low: groups.1)
    }
}

extension IPAddress {
    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), or of an IPv4 address; nil for
    /// other IPv6 addresses. Lookups treat both spellings of an IPv4 address as the same address.
    @inline(__always)
    var ipv4Value: UInt32? {
        if !isIPv6 { return UInt32(truncatingIfNeeded: low) }
        if high == 0, low >> 32 == 0xffff { return UInt32(truncatingIfNeeded: low) }
        return nil
    }
}

/// An IPv4 or IPv6 address held in two integers, so that flow keys hash and compare without allocation.
///
/// IPv4 addresses live in the low 32 bits of `low` with `high == 0`; the `isIPv6` flag keeps `::a.b.c.d` and
/// `a.b.c.d` apart.
public struct IPAddress: Hashable, Comparable, Sendable {
    /// The first 64 bits of an IPv6 address in network order; zero for IPv4.
    public var high: UInt64
    /// The last 64 bits of an IPv6 address, or the IPv4 address in its low 32 bits.
    public var low: UInt64
    /// Whether this is an IPv6 address.
    public var isIPv6: Bool

    /// An IPv4 address from its 32-bit value in host order (`0x7f000001` is 127.0.0.1).
    @inlinable public init(ipv4 value: UInt32) {
        high = 0
        low = UInt64(value)
        isIPv6 = false
    }

    /// An IPv6 address from its two 64-bit halves in host order.
    @inlinable public init(ipv6High high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
        isIPv6 = true
    }

    /// The address family's IP version, 4 or 6.
    @inlinable public var version: Int { isIPv6 ? 6 : 4 }

    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        appendBytes(to: &out)
        return out
    }

    /// Appends the address bytes in network order.
    @inlinable public func appendBytes(to out: inout [UInt8]) {
        if isIPv6 {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
        } else {
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
        }
    }

    /// Orders IPv4 before IPv6, then by numeric value.
    @inlinable public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.isIPv6 != rhs.isIPv6 { return !lhs.isIPv6 }
        if lhs.high != rhs.high { return lhs.high < rhs.high }
        return lhs.low < rhs.low
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail); nil when malformed.
    public init?(_ text: String) {
        var copy = text
        guard let parsed = copy.withUTF8({ IPAddress(utf8: $0) }) else { return nil }
        self = parsed
    }

    /// Parses the address spelled by UTF-8 `bytes` with the same rules as `init?(_:)`; dotted IPv4 (the common case
    /// in records) is read straight from the bytes, without building a `String` or an array.
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        // Dotted IPv4 is tried first: it is the common case, and a colon makes it fail at once.
        if bytes.count <= 15, let value = IPAddress.parseIPv4(bytes) {
            self.init(ipv4: value)
        } else if bytes.count <= 45, bytes.contains(UInt8(ascii: ":")) {
            guard let parsed = IPAddress.parseIPv6(Array(bytes)) else { return nil }
            self = parsed
        } else {
            return nil
        }
    }

    /// The dotted-quad value of `text`, read straight from the buffer (no generic iteration); nil when malformed.
    private static func parseIPv4(_ text: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var parts = 0
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var index = 0
        while index < text.count {
            let c = text[index]
            if c == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | octet
                parts += 1
                octet = 0
                digits = 0
            } else {
                let digit = c &- UInt8(ascii: "0")
                guard digit < 10, digits < 3 else { return nil }
                octet = octet * 10 + UInt32(digit)
                digits += 1
                guard octet <= 255 else { return nil }
            }
            index += 1
        }
        guard parts == 3, digits > 0 else { return nil }
        return value << 8 | octet
    }

    private static func parseIPv6(_ text: [UInt8]) -> IPAddress? {
        var groups: [UInt16] = []
        var gapIndex: Int?
        var i = 0
        if text.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            gapIndex = 0
            i = 2
        }
        while i < text.count {
            var end = i
            while end < text.count, text[end] != UInt8(ascii: ":") { end += 1 }
            let piece = text[i..<end]
            if piece.contains(UInt8(ascii: ".")) {
                guard end == text.count, let v4 = piece.withUnsafeBufferPointer({ parseIPv4($0) }) else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(truncatingIfNeeded: v4))
                i = end
                break
            }
            guard !piece.isEmpty, piece.count <= 4 else { return nil }
            var group: UInt16 = 0
            for c in piece {
                guard let nibble = hexValue(c) else { return nil }
                group = group << 4 | UInt16(nibble)
            }
            groups.append(group)
            if end == text.count { i = end; break }
            // `end` is at a colon; a second colon right after marks the gap.
            if end + 1 < text.count, text[end + 1] == UInt8(ascii: ":") {
                guard gapIndex == nil else { return nil }
                gapIndex = groups.count
                i = end + 2
            } else {
                guard end + 1 < text.count else { return nil }
                i = end + 1
            }
        }
        if let gap = gapIndex {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: gap)
        }
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for g in groups[0..<4] { high = high << 16 | UInt64(g) }
        for g in groups[4..<8] { low = low << 16 | UInt64(g) }
        return IPAddress(ipv6High: high, low: low)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension IPAddress: CustomStringConvertible {
    /// The canonical text form: dotted quad, or RFC 5952 compressed lower-case IPv6.
    public var description: String {
        if !isIPv6 {
            // At most 15 bytes, which a String holds inline: written in place, without an array or an allocation
            // (every A answer of a DNS response is one).
            let value = UInt32(truncatingIfNeeded: low)
            return String(unsafeUninitializedCapacity: 15) { out in
                var n = 0
                for shift in stride(from: 24, through: 0, by: -8) {
                    let octet = UInt8(truncatingIfNeeded: value >> UInt32(shift))
                    if octet >= 100 { out[n] = UInt8(ascii: "0") &+ octet / 100; n &+= 1 }
                    if octet >= 10 { out[n] = UInt8(ascii: "0") &+ octet / 10 % 10; n &+= 1 }
                    out[n] = UInt8(ascii: "0") &+ octet % 10
                    n &+= 1
                    if shift > 0 { out[n] = UInt8(ascii: "."); n &+= 1 }
                }
                return n
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(39)
        appendText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the canonical text form to a byte buffer (laid out on the stack, appended at once).
    public func appendText(to out: inout [UInt8]) {
        var text: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)  // 40 bytes: the longest form is 39
        let high = self.high
        let low = self.low
        let isIPv6 = self.isIPv6
        withUnsafeMutableBytes(of: &text) { b in
            var n = 0
            @inline(__always) func put(_ byte: UInt8) {
                b[n] = byte
                n += 1
            }
            if !isIPv6 {
                for shift in stride(from: 24, through: 0, by: -8) {
                    let octet = UInt8(truncatingIfNeeded: low >> UInt64(shift))
                    if octet >= 100 { put(UInt8(ascii: "0") &+ octet / 100) }
                    if octet >= 10 { put(UInt8(ascii: "0") &+ octet / 10 % 10) }
                    put(UInt8(ascii: "0") &+ octet % 10)
                    if shift > 0 { put(UInt8(ascii: ".")) }
                }
            } else {
                @inline(__always) func group(_ i: Int) -> UInt16 {
                    UInt16(truncatingIfNeeded: (i < 4 ? high : low) >> UInt64(48 - 16 * (i & 3)))
                }
                // RFC 5952: the longest run of two or more zero groups (the first on a tie) becomes `::`.
                var bestStart = -1
                var bestLength = 1
                var runStart = -1
                for i in 0...8 {
                    if i < 8, group(i) == 0 {
                        if runStart < 0 { runStart = i }
                    } else if runStart >= 0 {
                        if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                        runStart = -1
                    }
                }
                var i = 0
                while i < 8 {
                    if i == bestStart {
                        put(UInt8(ascii: ":"))
                        if i == 0 { put(UInt8(ascii: ":")) }
                        i += bestLength
                        continue
                    }
                    let g = group(i)
                    var started = false
                    for shift in stride(from: 12, through: 0, by: -4) {
                        let nibble = UInt8(truncatingIfNeeded: g >> UInt16(shift)) & 0xf
                        if nibble != 0 || started || shift == 0 {
                            put(nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ nibble &- 10)
                            started = true
                        }
                    }
                    if i < 7 { put(UInt8(ascii: ":")) }
                    i += 1
                }
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[0..<n]))
        }
    }
}

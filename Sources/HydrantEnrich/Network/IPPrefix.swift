import HydrantRecords

/// A CIDR block (`10.0.0.0/8`, `fd00::/8`) or a single address (a /32 or /128). IPv4-mapped IPv6 prefixes
/// (`::ffff:10.0.0.0/104`) are stored as the IPv4 prefix they denote, so either spelling matches either address form.
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the block (host bits cleared).
    public let address: IPAddress
    /// The number of leading bits that are fixed: 0…32 for IPv4, 0…128 for IPv6.
    public let length: Int

    /// Parses `a.b.c.d/n`, `x::/n`, or a bare address; nil when malformed or the length is out of range. Host bits
    /// set below the prefix are cleared (`10.1.2.3/8` is `10.0.0.0/8`), as routers do.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let address = IPAddress(String(first)) else { return nil }
        var length = address.isIPv6 ? 128 : 32
        if parts.count == 2 {
            guard let written = Int(parts[1]), written >= 0, written <= length, parts[1].count <= 3 else { return nil }
            length = written
        }
        if address.isIPv6, let v4 = address.ipv4Value, length >= 96 {
            self.init(address: IPAddress(ipv4: v4), length: length - 96)
        } else {
            self.init(address: address, length: length)
        }
    }

    /// The block of `length` bits at `address` (host bits cleared).
    public init(address: IPAddress, length: Int) {
        let maximum = address.isIPv6 ? 128 : 32
        let bits = max(0, min(length, maximum))
        self.length = bits
        if address.isIPv6 {
            let high = bits >= 64 ? address.high : (bits == 0 ? 0 : address.high & ~(UInt64.max >> UInt64(bits)))
            let low = bits >= 128 ? address.low : (bits <= 64 ? 0 : address.low & ~(UInt64.max >> UInt64(bits - 64)))
            self.address = IPAddress(ipv6High: high, low: low)
        } else {
            let value = UInt32(truncatingIfNeeded: address.low)
            let masked = bits == 0 ? 0 : value & ~(UInt32.max >> UInt32(bits))
            self.address = IPAddress(ipv4: masked)
        }
    }

    /// The last address of the block, as an IPv4 value (IPv4 prefixes) or IPv6 halves.
    var lastIPv4: UInt32 {
        let value = UInt32(truncatingIfNeeded: address.low)
        return length == 0 ? UInt32.max : value | (UInt32.max >> UInt32(length))
    }

    var firstIPv6: IPv6Key { IPv6Key(high: address.high, low: address.low) }

    var lastIPv6: IPv6Key {
        let high = length >= 64 ? address.high : address.high | (length == 0 ? UInt64.max : UInt64.max >> UInt64(length))
        let low = length >= 128 ? address.low : address.low | (length <= 64 ? UInt64.max : UInt64.max >> UInt64(length - 64))
        return IPv6Key(high: high, low: low)
    }

    /// Whether `candidate` lies in the block; an IPv4-mapped IPv6 address counts as its IPv4 address.
    public func contains(_ candidate: IPAddress) -> Bool {
        if !address.isIPv6 {
            guard let v4 = candidate.ipv4Value else { return false }
            return v4 >= UInt32(truncatingIfNeeded: address.low) && v4 <= lastIPv4
        }
        guard candidate.isIPv6 else { return false }
        let key = IPv6Key(high: candidate.high, low: candidate.low)
        return key >= firstIPv6 && key <= lastIPv6
    }

    /// `address/length` in canonical text.
    public var description: String { "\(address)/\(length)" }
}

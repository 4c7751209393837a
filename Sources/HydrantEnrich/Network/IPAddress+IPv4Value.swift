import HydrantRecords

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

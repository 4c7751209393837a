import HydrantRecords

/// Private, shared, loopback, link-local, documentation, benchmarking, multicast and other special-purpose blocks
/// (the IANA special-purpose registries): GeoIP never looks them up, since no database can place them.
enum ReservedRanges {
    static let blocks = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128", "::1/128", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8",
    ]

    static let table: PrefixTable<Bool> = PrefixTable(blocks.compactMap { text in IPPrefix(text).map { ($0, true) } })

    @inline(__always)
    static func contains(_ address: IPAddress) -> Bool { table.index(of: address) != nil }
}

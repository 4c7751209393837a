import HydrantRecords

/// The address blocks that are "ours", which decide `network.direction`.
public final class HomeNetworks: Sendable {
    /// The default: RFC 1918 private IPv4, RFC 4193 unique local IPv6, loopback and link-local of both families.
    public static let defaultBlocks = [
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16",
        "fc00::/7", "::1/128", "fe80::/10",
    ]

    private let table: PrefixTable<Bool>

    /// The blocks, as configured.
    public var prefixes: [IPPrefix] { table.prefixes }

    /// Home networks from CIDR text; throws naming the first entry that is not a CIDR or address.
    public init(_ blocks: [String] = HomeNetworks.defaultBlocks) throws(EnrichError) {
        var entries: [(prefix: IPPrefix, value: Bool)] = []
        for block in blocks {
            guard let prefix = IPPrefix(block) else {
                throw EnrichError(path: nil, "home_networks: \"\(block)\" is not a CIDR block or address")
            }
            entries.append((prefix, true))
        }
        table = PrefixTable(entries)
    }

    /// Whether `address` is in a home network (IPv4-mapped IPv6 addresses count as their IPv4 address).
    @inline(__always)
    public func contains(_ address: IPAddress) -> Bool {
        table.index(of: address) != nil
    }

    /// The direction of traffic from `source` to `destination`.
    @inline(__always)
    public func direction(from source: IPAddress, to destination: IPAddress) -> NetworkDirection {
        NetworkDirection(sourceIsHome: contains(source), destinationIsHome: contains(destination))
    }
}

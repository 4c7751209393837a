import HydrantRecords

/// Community ID v1 flow hashing (corelight/community-id-spec).
///
/// STUB: replaced by the flow work; the signatures are the contract.
public struct CommunityID: Sendable {
    /// The seed mixed into the hash (default 0).
    public let seed: UInt16

    /// Creates a hasher with a seed.
    public init(seed: UInt16 = 0) { self.seed = seed }

    /// The `1:`-prefixed Community ID of a flow, base64 (default) or hex.
    /// For ICMP/ICMPv6, `sourcePort` is the type and `destinationPort` the code.
    public func string(source: IPAddress, destination: IPAddress, ianaNumber: UInt8,
                       sourcePort: UInt16, destinationPort: UInt16, hasPorts: Bool, base64: Bool = true) -> String {
        ""
    }
}

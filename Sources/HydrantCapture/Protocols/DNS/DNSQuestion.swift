/// One question of a DNS message.
public struct DNSQuestion: Equatable, Sendable {
    /// The name asked about, in presentation form (lower case, no trailing dot, the root as `.`).
    public var name: String
    /// The record type asked for (see `DNSNames.typeName`).
    public var type: UInt16
    /// The class (1 = IN); mDNS uses the top bit as its unicast-response flag.
    public var dnsClass: UInt16
}

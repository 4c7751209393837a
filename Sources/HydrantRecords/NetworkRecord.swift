/// The fields every network dataset shares (SCHEMA.md "Common to every dataset").
public protocol NetworkRecord: DatasetRecord {
    /// When the delivery stream accepted it; nil before it reaches one.
    var ingested: Timestamp? { get }
    /// The sensor or collector that produced it.
    var observerName: String? { get }
    /// The initiator's address.
    var sourceIP: IPAddress { get }
    /// The initiator's port; nil for port-less protocols.
    var sourcePort: UInt16? { get }
    /// The responder's address.
    var destinationIP: IPAddress { get }
    /// The responder's port; nil for port-less protocols.
    var destinationPort: UInt16? { get }
    /// The IP protocol number.
    var ianaNumber: UInt8 { get }
    /// The outer VLAN id, when tagged.
    var vlanID: UInt16? { get }
    /// The inner VLAN id of a QinQ frame.
    var innerVLANID: UInt16? { get }
    /// Community ID v1, seed 0, base64.
    var communityID: String? { get }
}

/// The name of an IP protocol as `network.transport` writes it.
public func transportName(ianaNumber: UInt8) -> String {
    switch ianaNumber {
    case 1: return "icmp"
    case 6: return "tcp"
    case 17: return "udp"
    case 58: return "ipv6-icmp"
    case 132: return "sctp"
    default: return String(ianaNumber)
    }
}

extension NetworkRecord {
    /// The shared field declarations, placed first in every network dataset's field table.
    // Inlinable, so that the accessors are compiled for each record type (reading its stored properties directly)
    // rather than going through the protocol's witnesses on every call.
    @inlinable public static var commonFields: [FieldDescriptor<Self>] {
        [
            .timestamp("@timestamp", "When it happened (event time, UTC).") { $0.timestamp },
            .string("event.dataset", "The dataset: `\(dataset.rawValue)`.") { _ in dataset.rawValue },
            .timestamp("event.ingested", "When the delivery stream accepted it.") { $0.ingested },
            .string("observer.name", "The sensor or collector that produced it.") { $0.observerName },
            .ip("source.ip", "Initiator address (sent the first packet, or the client).") { $0.sourceIP },
            .int("source.port", "Initiator port.") { $0.sourcePort.map(Int64.init) },
            .ip("destination.ip", "Responder address.") { $0.destinationIP },
            .int("destination.port", "Responder port.") { $0.destinationPort.map(Int64.init) },
            .string("network.transport", "`tcp`, `udp`, `icmp`, `ipv6-icmp`, `sctp`, or the IANA protocol number as text.") {
                transportName(ianaNumber: $0.ianaNumber)
            },
            .int("network.iana_number", "IP protocol number.") { Int64($0.ianaNumber) },
            .string("network.type", "`ipv4` or `ipv6`.") { $0.sourceIP.isIPv6 ? "ipv6" : "ipv4" },
            .string("network.community_id", "Community ID v1, seed 0, base64 (`1:…`).") { $0.communityID },
            .int("network.vlan.id", "Outer VLAN id, when tagged.") { $0.vlanID.map(Int64.init) },
            .int("network.inner.vlan.id", "Inner VLAN id of a QinQ (802.1ad) frame.") { $0.innerVLANID.map(Int64.init) },
        ]
    }
}

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
    public static var commonFields: [FieldDescriptor<Self>] {
        [
            .init("@timestamp", .timestamp, "When it happened (event time, UTC).") { .timestamp($0.timestamp) },
            .init("event.dataset", .string, "The dataset: `\(dataset.rawValue)`.") { _ in .string(dataset.rawValue) },
            .init("event.ingested", .timestamp, "When the delivery stream accepted it.") { $0.ingested.map(FieldValue.timestamp) },
            .init("observer.name", .string, "The sensor or collector that produced it.") { $0.observerName.map(FieldValue.string) },
            .init("source.ip", .ip, "Initiator address (sent the first packet, or the client).") { .ip($0.sourceIP) },
            .init("source.port", .int, "Initiator port.") { $0.sourcePort.map { .int(Int64($0)) } },
            .init("destination.ip", .ip, "Responder address.") { .ip($0.destinationIP) },
            .init("destination.port", .int, "Responder port.") { $0.destinationPort.map { .int(Int64($0)) } },
            .init("network.transport", .string, "`tcp`, `udp`, `icmp`, `ipv6-icmp`, `sctp`, or the IANA protocol number as text.") {
                .string(transportName(ianaNumber: $0.ianaNumber))
            },
            .init("network.iana_number", .int, "IP protocol number.") { .int(Int64($0.ianaNumber)) },
            .init("network.type", .string, "`ipv4` or `ipv6`.") { .string($0.sourceIP.isIPv6 ? "ipv6" : "ipv4") },
            .init("network.community_id", .string, "Community ID v1, seed 0, base64 (`1:…`).") { $0.communityID.map(FieldValue.string) },
            .init("network.vlan.id", .int, "Outer VLAN id, when tagged.") { $0.vlanID.map { .int(Int64($0)) } },
            .init("network.inner.vlan.id", .int, "Inner VLAN id of a QinQ (802.1ad) frame.") { $0.innerVLANID.map { .int(Int64($0)) } },
        ]
    }
}

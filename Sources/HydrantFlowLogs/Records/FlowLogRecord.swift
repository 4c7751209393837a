import HydrantRecords

/// Whether a flow-log record counts one direction of a conversation or both.
public enum FlowLogKind: String, Sendable {
    /// One direction only (every VPC Flow Logs line, NetFlow v5/v9 and plain IPFIX records): `destination.*`
    /// counters are unknown, and the reverse direction, if any, is a separate record with source and destination
    /// swapped.
    case unidirectional
    /// An IPFIX biflow (RFC 5103): the reverse direction's counters fill `destination.*`.
    case bidirectional
}

/// What the flow-log datasets share with `network.flow`: one flow's addresses, times and counters.
///
/// Flow logs are exported by routers and clouds, not reconstructed from packets, so `source` is the side the
/// exporter saw sending, not necessarily the initiator; `flow.kind` says whether the reverse direction is included.
public protocol FlowLogRecord: NetworkRecord {
    /// First packet of the flow (or of the aggregation interval).
    var start: Timestamp { get }
    /// Last packet of the flow (or end of the aggregation interval).
    var end: Timestamp { get }
    /// Whether the reverse direction is counted too.
    var kind: FlowLogKind { get }
    /// IP-level bytes sent by `source`; nil when the exporter did not report them.
    var sourceBytes: Int64? { get }
    /// Packets sent by `source`.
    var sourcePackets: Int64? { get }
    /// IP-level bytes sent by `destination` (biflows only).
    var destinationBytes: Int64? { get }
    /// Packets sent by `destination` (biflows only).
    var destinationPackets: Int64? { get }
    /// `ingress` or `egress` relative to the observing interface, when the exporter says.
    var direction: String? { get }
    /// `accept` or `reject` (VPC `action`), or nil.
    var outcome: String? { get }
}

extension FlowLogRecord {
    /// The fields a flow-log dataset shares with `network.flow` (same names and units), after `commonFields`.
    public static var flowLogFields: [FieldDescriptor<Self>] {
        [
            .init("event.start", .timestamp, "First packet of the flow or of the aggregation interval.") { .timestamp($0.start) },
            .init("event.end", .timestamp, "Last packet of the flow or end of the aggregation interval.") { .timestamp($0.end) },
            .init("event.duration", .int, "end − start, in nanoseconds.") { .int($0.end.nanoseconds &- $0.start.nanoseconds) },
            .init("event.outcome", .string, "`accept` or `reject` (VPC `action`).") { $0.outcome.map(FieldValue.string) },
            .init("source.bytes", .int, "IP-level bytes sent by the source (scaled by the sampling interval when announced).") {
                $0.sourceBytes.map(FieldValue.int)
            },
            .init("source.packets", .int, "Packets sent by the source (scaled by the sampling interval when announced).") {
                $0.sourcePackets.map(FieldValue.int)
            },
            .init("destination.bytes", .int, "IP-level bytes sent by the destination; biflows only.") { $0.destinationBytes.map(FieldValue.int) },
            .init("destination.packets", .int, "Packets sent by the destination; biflows only.") { $0.destinationPackets.map(FieldValue.int) },
            .init("network.bytes", .int, "IP-level bytes counted by this record (both directions for a biflow).") { record in
                guard let bytes = record.sourceBytes else { return record.destinationBytes.map(FieldValue.int) }
                return .int(bytes &+ (record.destinationBytes ?? 0))
            },
            .init("network.packets", .int, "Packets counted by this record (both directions for a biflow).") { record in
                guard let packets = record.sourcePackets else { return record.destinationPackets.map(FieldValue.int) }
                return .int(packets &+ (record.destinationPackets ?? 0))
            },
            .init("network.direction", .string, "`ingress` or `egress` relative to the observing interface, when the exporter says.") {
                $0.direction.map(FieldValue.string)
            },
            .init("flow.kind", .string, "`unidirectional` (one direction per record) or `bidirectional` (IPFIX biflow).") {
                .string($0.kind.rawValue)
            },
        ]
    }
}

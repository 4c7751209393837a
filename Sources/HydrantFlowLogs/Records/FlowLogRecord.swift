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
            .timestamp("event.start", "First packet of the flow or of the aggregation interval.") { $0.start },
            .timestamp("event.end", "Last packet of the flow or end of the aggregation interval.") { $0.end },
            .int("event.duration", "end − start, in nanoseconds.") { $0.end.nanoseconds &- $0.start.nanoseconds },
            .string("event.outcome", "`accept` or `reject` (VPC `action`).") { $0.outcome },
            .int("source.bytes", "IP-level bytes sent by the source (scaled by the sampling interval when announced).") {
                $0.sourceBytes
            },
            .int("source.packets", "Packets sent by the source (scaled by the sampling interval when announced).") {
                $0.sourcePackets
            },
            .int("destination.bytes", "IP-level bytes sent by the destination; biflows only.") { $0.destinationBytes },
            .int("destination.packets", "Packets sent by the destination; biflows only.") { $0.destinationPackets },
            .int("network.bytes", "IP-level bytes counted by this record (both directions for a biflow).") { record in
                guard let bytes = record.sourceBytes else { return record.destinationBytes }
                return bytes &+ (record.destinationBytes ?? 0)
            },
            .int("network.packets", "Packets counted by this record (both directions for a biflow).") { record in
                guard let packets = record.sourcePackets else { return record.destinationPackets }
                return packets &+ (record.destinationPackets ?? 0)
            },
            .string("network.direction", "`ingress` or `egress` relative to the observing interface, when the exporter says.") {
                $0.direction
            },
            .string("flow.kind", "`unidirectional` (one direction per record) or `bidirectional` (IPFIX biflow).") {
                $0.kind.rawValue
            },
        ]
    }
}

/// Why a flow record was emitted (`event.action`).
public enum FlowAction: String, Sendable {
    /// The conversation completed with FIN or RST.
    case end = "flow_end"
    /// No packet arrived within the inactive timeout.
    case timeout = "flow_timeout"
    /// An interim record of a long flow, emitted every active timeout.
    case update = "flow_update"
    /// The capture ended with the flow still open.
    case shutdown = "flow_shutdown"
    /// The flow table was full and this was the least recently active flow.
    case evicted = "flow_evicted"
}

/// One bidirectional conversation (`network.flow`), from packets or from flow logs.
public struct FlowRecord: NetworkRecord, Hashable {
    /// The dataset of flow records.
    public static let dataset = Dataset.networkFlow
    /// What one flow record stands for.
    public static let summary = "One bidirectional conversation, from packets or flow logs."

    /// First packet seen.
    public var start: Timestamp
    /// Last packet seen.
    public var end: Timestamp
    /// Why the record was emitted.
    public var action: FlowAction
    /// When the delivery stream accepted it.
    public var ingested: Timestamp?
    /// The sensor that produced it.
    public var observerName: String?
    /// Initiator address.
    public var sourceIP: IPAddress
    /// Initiator port.
    public var sourcePort: UInt16?
    /// Responder address.
    public var destinationIP: IPAddress
    /// Responder port.
    public var destinationPort: UInt16?
    /// IP protocol number.
    public var ianaNumber: UInt8
    /// Outer VLAN id.
    public var vlanID: UInt16?
    /// Inner VLAN id (QinQ).
    public var innerVLANID: UInt16?
    /// Community ID v1.
    public var communityID: String?
    /// ICMP or ICMPv6 type of the first packet.
    public var icmpType: UInt8?
    /// ICMP or ICMPv6 code of the first packet.
    public var icmpCode: UInt8?
    /// IP-level bytes sent by the initiator.
    public var sourceBytes: Int64
    /// Packets sent by the initiator.
    public var sourcePackets: Int64
    /// IP-level bytes sent by the responder.
    public var destinationBytes: Int64
    /// Packets sent by the responder.
    public var destinationPackets: Int64
    /// Application protocol identified (`dns`, `http`, `tls`, …).
    public var applicationProtocol: String?
    /// Zeek `conn_state`.
    public var state: String?
    /// Zeek `history`.
    public var history: String?
    /// `inbound`, `outbound`, `internal` or `external`.
    public var direction: String?
    /// `accept` or `reject`, from flow logs.
    public var outcome: String?

    /// Event time: the first packet.
    public var timestamp: Timestamp { start }

    /// Creates a flow record; counters default to zero and optional fields to unknown.
    public init(start: Timestamp, end: Timestamp, action: FlowAction,
                sourceIP: IPAddress, sourcePort: UInt16?, destinationIP: IPAddress, destinationPort: UInt16?,
                ianaNumber: UInt8) {
        self.start = start
        self.end = end
        self.action = action
        self.sourceIP = sourceIP
        self.sourcePort = sourcePort
        self.destinationIP = destinationIP
        self.destinationPort = destinationPort
        self.ianaNumber = ianaNumber
        sourceBytes = 0
        sourcePackets = 0
        destinationBytes = 0
        destinationPackets = 0
    }

    /// The field table of `network.flow`.
    public static let fields: [FieldDescriptor<FlowRecord>] = commonFields + [
        .timestamp("event.start", "First packet seen.") { $0.start },
        .timestamp("event.end", "Last packet seen.") { $0.end },
        .int("event.duration", "end − start, in nanoseconds.") { $0.end.nanoseconds &- $0.start.nanoseconds },
        .string("event.action",
              "Why it was emitted: `flow_end`, `flow_timeout`, `flow_update`, `flow_shutdown`, `flow_evicted` (table full).") {
            $0.action.rawValue
        },
        .string("event.outcome", "Flow logs only: `accept` or `reject`.") { $0.outcome },
        .int("source.bytes", "IP-level bytes sent by the initiator.") { $0.sourceBytes },
        .int("source.packets", "Packets sent by the initiator.") { $0.sourcePackets },
        .int("destination.bytes", "IP-level bytes sent by the responder.") { $0.destinationBytes },
        .int("destination.packets", "Packets sent by the responder.") { $0.destinationPackets },
        .int("network.bytes", "IP-level bytes in both directions.") { $0.sourceBytes &+ $0.destinationBytes },
        .int("network.packets", "Packets in both directions.") { $0.sourcePackets &+ $0.destinationPackets },
        .string("network.protocol", "Application protocol identified: `dns`, `http`, `tls`, `ssh`, … (lower case).") {
            $0.applicationProtocol
        },
        .string("network.state",
                "Zeek `conn_state` (`S0`, `S1`, `SF`, `REJ`, `S2`, `S3`, `RSTO`, `RSTR`, `RSTOS0`, `RSTRH`, `SH`, `SHR`, `OTH`).") {
            $0.state
        },
        .string("network.history", "Zeek `history` letters (`ShADadFf`, …); upper case from the initiator.") { $0.history },
        .string("network.direction", "`inbound`, `outbound`, `internal`, `external` (needs home networks).") { $0.direction },
        .int("icmp.type", "ICMP or ICMPv6 type of the first packet (extension field).") { $0.icmpType.map(Int64.init) },
        .int("icmp.code", "ICMP or ICMPv6 code of the first packet (extension field).") { $0.icmpCode.map(Int64.init) },
    ]
}

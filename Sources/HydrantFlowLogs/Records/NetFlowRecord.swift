import HydrantRecords

/// One NetFlow v5/v9 or IPFIX flow record (`flowlog.netflow`), as an exporter reported it.
///
/// Holds no strings of its own (the direction is an enum, the Community ID is never computed), so that decoding a
/// datagram allocates nothing per record and copying one costs little reference counting (`enterpriseElements` is
/// filled only when the collector keeps enterprise-specific elements; `observerName` is the configured one).
public struct NetFlowRecord: FlowLogRecord, Hashable {
    /// The dataset of NetFlow/IPFIX records.
    public static let dataset = Dataset.flowlogNetFlow
    /// What one record stands for.
    public static let summary = "One NetFlow v5/v9 or IPFIX flow record: one direction of a flow (both for IPFIX biflows)."

    /// Flow start (from whichever time encoding the exporter used; the export time when it sent none).
    public var start: Timestamp
    /// Flow end.
    public var end: Timestamp
    /// When the delivery stream accepted it.
    public var ingested: Timestamp?
    /// The collector that received it.
    public var observerName: String?
    /// Source address (IE 8 or 27; 0.0.0.0 when the record had none).
    public var sourceIP: IPAddress
    /// Source port (IE 7).
    public var sourcePort: UInt16?
    /// Destination address (IE 12 or 28).
    public var destinationIP: IPAddress
    /// Destination port (IE 11).
    public var destinationPort: UInt16?
    /// IP protocol (IE 4).
    public var ianaNumber: UInt8
    /// VLAN id (IE 58 or 243).
    public var vlanID: UInt16?
    /// Inner VLAN id (IE 245, dot1qCustomerVlanId).
    public var innerVLANID: UInt16?
    /// Not computed for flow exports.
    public var communityID: String? { nil }
    /// `bidirectional` when the record carried reverse counters (RFC 5103).
    public var kind: FlowLogKind
    /// Octets from source (IE 1 or 85), scaled by `samplingInterval`.
    public var sourceBytes: Int64?
    /// Packets from source (IE 2 or 86), scaled by `samplingInterval`.
    public var sourcePackets: Int64?
    /// Reverse octets of a biflow.
    public var destinationBytes: Int64?
    /// Reverse packets of a biflow.
    public var destinationPackets: Int64?
    /// Direction relative to the observing interface (IE 61).
    public var flowDirection: NetFlowDirection?
    /// `ingress` / `egress` (IE 61).
    public var direction: String? { flowDirection?.rawValue }
    /// Flow exports carry no verdict.
    public var outcome: String? { nil }
    /// Export protocol version: 5, 9 or 10 (IPFIX).
    public var version: UInt16
    /// The exporter's address (the datagram's sender).
    public var exporterIP: IPAddress
    /// Observation domain (IPFIX) or source id (v9); engine type and id for v5 (`type << 8 | id`).
    public var observationDomain: UInt32
    /// Input interface (IE 10).
    public var inputInterface: Int64?
    /// Output interface (IE 14).
    public var outputInterface: Int64?
    /// Next hop (IE 15 or 62).
    public var nextHop: IPAddress?
    /// BGP next hop (IE 18 or 63).
    public var bgpNextHop: IPAddress?
    /// Source AS (IE 16).
    public var sourceAS: Int64?
    /// Destination AS (IE 17).
    public var destinationAS: Int64?
    /// OR of TCP flags (IE 6).
    public var tcpFlags: Int64?
    /// IP type of service (IE 5).
    public var tos: Int64?
    /// ICMP type.
    public var icmpType: UInt8?
    /// ICMP code.
    public var icmpCode: UInt8?
    /// The packet sampling interval applied to the counters (1 in N), when the exporter announced one.
    public var samplingInterval: Int64?
    /// Enterprise-specific elements the decoder does not map, in template order; empty unless the collector is
    /// configured to keep them.
    public var enterpriseElements: [NetFlowEnterpriseElement] = []

    /// Event time: the flow start.
    public var timestamp: Timestamp { start }

    /// An empty record from an exporter; the decoder fills in what the template carries.
    public init(version: UInt16, exporterIP: IPAddress, observationDomain: UInt32, exportTime: Timestamp) {
        self.version = version
        self.exporterIP = exporterIP
        self.observationDomain = observationDomain
        start = exportTime
        end = exportTime
        sourceIP = IPAddress(ipv4: 0)
        destinationIP = IPAddress(ipv4: 0)
        ianaNumber = 0
        kind = .unidirectional
    }

    /// The field table of `flowlog.netflow`.
    public static let fields: [FieldDescriptor<NetFlowRecord>] = commonFields + flowLogFields + [
        .int("netflow.version", "Export protocol: 5, 9, or 10 (IPFIX).") { Int64($0.version) },
        .ip("netflow.exporter.ip", "The exporter's address (sender of the datagram).") { $0.exporterIP },
        .int("netflow.exporter.observation_domain", "IPFIX observation domain, v9 source id, v5 engine type << 8 | engine id.") {
            Int64($0.observationDomain)
        },
        .int("observer.ingress.interface.id", "Input interface index (SNMP ifIndex, IE 10).") { $0.inputInterface },
        .int("observer.egress.interface.id", "Output interface index (SNMP ifIndex, IE 14).") { $0.outputInterface },
        .ip("netflow.next_hop", "IP next hop (IE 15/62).") { $0.nextHop },
        .ip("netflow.bgp_next_hop", "BGP next hop (IE 18/63).") { $0.bgpNextHop },
        .int("source.as.number", "Source autonomous system (IE 16).") { $0.sourceAS },
        .int("destination.as.number", "Destination autonomous system (IE 17).") { $0.destinationAS },
        .int("netflow.tcp_flags", "OR of the TCP flags of the flow's packets (IE 6).") { $0.tcpFlags },
        .int("netflow.tos", "IP type of service byte (IE 5).") { $0.tos },
        .int("netflow.sampling_interval", "1-in-N packet sampling applied to the counters, when announced.") {
            $0.samplingInterval
        },
        .int("icmp.type", "ICMP or ICMPv6 type (IE 32/139/176/178).") { $0.icmpType.map { Int64($0) } },
        .int("icmp.code", "ICMP or ICMPv6 code.") { $0.icmpCode.map { Int64($0) } },
        .strings("netflow.enterprise",
                 "Unmapped enterprise-specific IPFIX elements, kept when configured: `<pen>.<id>=<value>`, the value decimal "
                    + "when 1–8 bytes, else 0x-hex.") {
            $0.enterpriseElements.isEmpty ? nil : $0.enterpriseElements.map(\.text)
        },
    ]
}

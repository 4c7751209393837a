import HydrantRecords

/// Encodes `flowlog.netflow` records as JSON lines with the field table's layout written out: the same bytes as
/// `JSONLinesEncoder<NetFlowRecord>`, for the collector's writer, which encodes every record it receives.
///
/// The generic encoder walks a plan and calls one accessor per field; here the keys are constant text copied in
/// runs between the values (constant sizes, so the copies are a few stores), each value is read straight from the
/// record in the batch (no accessor call, no copy of the record), and only optional fields branch, the same way for
/// every record of one template. `NetFlowLineEncoderTests` compares the two on thousands of random records; a field
/// added to `NetFlowRecord.fields` must be added here too, or those tests fail.
public struct NetFlowLineEncoder: JSONLinesBatchEncoding {
    /// Room reserved before each record: more than the longest line without string contents, which is under 1,600
    /// bytes (every field present, IPv6 addresses, 20-character integers; a test checks it). Strings (the observer
    /// name, enterprise elements) reserve for themselves and this much after them.
    static var reserve: Int { 2048 }

    /// The date and time of the seconds last written.
    private var clock = RFC3339SecondCache()
    /// IPv6 text is formatted here first.
    private var scratch: [UInt8] = []

    /// An encoder with nothing remembered.
    public init() {
        scratch.reserveCapacity(64)
    }

    /// Appends every record of `records` as a line to `buffer`, and each line's end offset to `ends`.
    public mutating func encode(_ records: UnsafeBufferPointer<NetFlowRecord>, into buffer: JSONLineBuffer, ends: inout [Int]) {
        guard let first = records.baseAddress else { return }
        ends.reserveCapacity(ends.count + records.count)
        var exporter = ExporterText()
        // One cursor for the batch: a cursor holds the buffer, so one per record retained and released it each time.
        var out = JSONCursor(buffer, reserving: Self.reserve)
        for index in 0..<records.count {
            out.ensure(Self.reserve)
            write(first + index, previous: index > 0 ? first + index - 1 : nil, exporter: &exporter, to: &out)
            ends.append(out.offset)
        }
        out.finish()
    }

    /// Appends one record as a line to `buffer`.
    public mutating func encode(_ record: NetFlowRecord, into buffer: JSONLineBuffer) {
        withUnsafePointer(to: record) { pointer in
            var out = JSONCursor(buffer, reserving: Self.reserve)
            var exporter = ExporterText()
            write(pointer, previous: nil, exporter: &exporter, to: &out)
            out.finish()
        }
    }

    // Reads fields through the pointer one at a time: `pointee` as a whole would copy the record (and retain its
    // name and element list) for every read. `previous` is the record before it in the same buffer, whose exporter
    // text `exporter` tells where to find.
    private mutating func write(_ record: UnsafePointer<NetFlowRecord>, previous: UnsafePointer<NetFlowRecord>?,
                                exporter: inout ExporterText, to out: inout JSONCursor) {
        let start = record.pointee.start
        let end = record.pointee.end
        out.literal("{\"@timestamp\":")
        let startText = out.offset
        out.timestamp(start, cache: &clock)
        let startLength = out.offset &- startText
        out.literal(",\"event\":{\"dataset\":\"flowlog.netflow\"")
        if let ingested = record.pointee.ingested {
            out.literal(",\"ingested\":")
            out.timestamp(ingested, cache: &clock)
        }
        out.literal(",\"start\":")
        // `@timestamp` is the start: the same text.
        out.repeatWritten(from: startText, count: startLength)
        out.literal(",\"end\":")
        out.timestamp(end, cache: &clock)
        out.literal(",\"duration\":")
        out.integer(end.nanoseconds &- start.nanoseconds)
        out.literal("}")

        let input = record.pointee.inputInterface
        let output = record.pointee.outputInterface
        let hasName = record.pointee.observerName != nil
        if hasName || input != nil || output != nil {
            out.literal(",\"observer\":{")
            if hasName, let name = record.pointee.observerName {
                out.literal("\"name\":")
                out.string(name, more: Self.reserve)
            }
            if let input {
                if hasName { out.literal(",") }
                out.literal("\"ingress\":{\"interface\":{\"id\":")
                out.integer(input)
                out.literal("}}")
            }
            if let output {
                if hasName || input != nil { out.literal(",") }
                out.literal("\"egress\":{\"interface\":{\"id\":")
                out.integer(output)
                out.literal("}}")
            }
            out.literal("}")
        }

        let sourceIP = record.pointee.sourceIP
        out.literal(",\"source\":{\"ip\":")
        out.ip(sourceIP, scratch: &scratch)
        endpoint(port: record.pointee.sourcePort, bytes: record.pointee.sourceBytes, packets: record.pointee.sourcePackets,
                 as: record.pointee.sourceAS, to: &out)
        out.literal(",\"destination\":{\"ip\":")
        out.ip(record.pointee.destinationIP, scratch: &scratch)
        endpoint(port: record.pointee.destinationPort, bytes: record.pointee.destinationBytes,
                 packets: record.pointee.destinationPackets, as: record.pointee.destinationAS, to: &out)

        let protocolNumber = record.pointee.ianaNumber
        switch protocolNumber {
        case 6: out.literal(",\"network\":{\"transport\":\"tcp\",\"iana_number\":6")
        case 17: out.literal(",\"network\":{\"transport\":\"udp\",\"iana_number\":17")
        case 1: out.literal(",\"network\":{\"transport\":\"icmp\",\"iana_number\":1")
        case 58: out.literal(",\"network\":{\"transport\":\"ipv6-icmp\",\"iana_number\":58")
        case 132: out.literal(",\"network\":{\"transport\":\"sctp\",\"iana_number\":132")
        default:
            // `transportName` spells other protocols as their number.
            out.literal(",\"network\":{\"transport\":\"")
            out.integer(Int64(protocolNumber))
            out.literal("\",\"iana_number\":")
            out.integer(Int64(protocolNumber))
        }
        if sourceIP.isIPv6 { out.literal(",\"type\":\"ipv6\"") } else { out.literal(",\"type\":\"ipv4\"") }
        if let vlan = record.pointee.vlanID {
            out.literal(",\"vlan\":{\"id\":")
            out.integer(Int64(vlan))
            out.literal("}")
        }
        if let inner = record.pointee.innerVLANID {
            out.literal(",\"inner\":{\"vlan\":{\"id\":")
            out.integer(Int64(inner))
            out.literal("}}")
        }
        // As `flowLogFields` counts them: both directions when either is known.
        let sourceBytes = record.pointee.sourceBytes
        let destinationBytes = record.pointee.destinationBytes
        if let bytes = sourceBytes.map({ $0 &+ (destinationBytes ?? 0) }) ?? destinationBytes {
            out.literal(",\"bytes\":")
            out.integer(bytes)
        }
        let sourcePackets = record.pointee.sourcePackets
        let destinationPackets = record.pointee.destinationPackets
        if let packets = sourcePackets.map({ $0 &+ (destinationPackets ?? 0) }) ?? destinationPackets {
            out.literal(",\"packets\":")
            out.integer(packets)
        }
        switch record.pointee.flowDirection {
        case .ingress: out.literal(",\"direction\":\"ingress\"")
        case .egress: out.literal(",\"direction\":\"egress\"")
        case nil: break
        }
        switch record.pointee.kind {
        case .unidirectional: out.literal("},\"flow\":{\"kind\":\"unidirectional\"}")
        case .bidirectional: out.literal("},\"flow\":{\"kind\":\"bidirectional\"}")
        }

        // The records of a batch mostly come from one exporter and domain: their text is copied from the record before.
        let version = record.pointee.version
        let exporterIP = record.pointee.exporterIP
        let domain = record.pointee.observationDomain
        if let previous, exporter.count > 0, previous.pointee.version == version, previous.pointee.exporterIP == exporterIP,
           previous.pointee.observationDomain == domain {
            out.repeatWritten(from: exporter.offset, count: exporter.count)
        } else {
            let from = out.offset
            out.literal(",\"netflow\":{\"version\":")
            out.integer(Int64(version))
            out.literal(",\"exporter\":{\"ip\":")
            out.ip(exporterIP, scratch: &scratch)
            out.literal(",\"observation_domain\":")
            out.integer(Int64(domain))
            out.literal("}")
            exporter = ExporterText(offset: from, count: out.offset &- from)
        }
        if let nextHop = record.pointee.nextHop {
            out.literal(",\"next_hop\":")
            out.ip(nextHop, scratch: &scratch)
        }
        if let bgpNextHop = record.pointee.bgpNextHop {
            out.literal(",\"bgp_next_hop\":")
            out.ip(bgpNextHop, scratch: &scratch)
        }
        if let flags = record.pointee.tcpFlags {
            out.literal(",\"tcp_flags\":")
            out.integer(flags)
        }
        if let tos = record.pointee.tos {
            out.literal(",\"tos\":")
            out.integer(tos)
        }
        if let sampling = record.pointee.samplingInterval {
            out.literal(",\"sampling_interval\":")
            out.integer(sampling)
        }
        if !record.pointee.enterpriseElements.isEmpty {
            out.literal(",\"enterprise\":[")
            for (index, element) in record.pointee.enterpriseElements.enumerated() {
                if index > 0 { out.literal(",") }
                out.string(element.text, more: 1 &+ Self.reserve)
            }
            out.literal("]")
        }
        out.literal("}")

        let icmpType = record.pointee.icmpType
        let icmpCode = record.pointee.icmpCode
        if icmpType != nil || icmpCode != nil {
            out.literal(",\"icmp\":{")
            if let icmpType {
                out.literal("\"type\":")
                out.integer(Int64(icmpType))
            }
            if let icmpCode {
                if icmpType != nil { out.literal(",") }
                out.literal("\"code\":")
                out.integer(Int64(icmpCode))
            }
            out.literal("}")
        }
        out.literal("}\n")
    }

    /// The members of `source` or `destination` after `ip`, and the object's closing brace.
    @inline(__always)
    private func endpoint(port: UInt16?, bytes: Int64?, packets: Int64?, as number: Int64?, to out: inout JSONCursor) {
        if let port {
            out.literal(",\"port\":")
            out.integer(Int64(port))
        }
        if let bytes {
            out.literal(",\"bytes\":")
            out.integer(bytes)
        }
        if let packets {
            out.literal(",\"packets\":")
            out.integer(packets)
        }
        if let number {
            out.literal(",\"as\":{\"number\":")
            out.integer(number)
            out.literal("}}")
        } else {
            out.literal("}")
        }
    }
}

/// Where the text from `,"netflow":{"version":` to the end of the exporter object of the last record written
/// starts in the buffer, and its length; a count of zero when no record was written yet.
private struct ExporterText {
    var offset = 0
    var count = 0
}

extension JSONCursor {
    /// Writes constant text; room for it must have been made. Its size is known where this is inlined, so the copy
    /// is a few stores.
    @inline(__always) mutating func literal(_ text: StaticString) {
        bytes(text.utf8Start, count: text.utf8CodeUnitCount)
    }
}

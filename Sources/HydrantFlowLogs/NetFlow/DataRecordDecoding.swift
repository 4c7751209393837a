import HydrantRecords

/// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
private let ntpToUnixSeconds: Int64 = 2_208_988_800

/// An NTP timestamp (RFC 7011 dateTimeMicroseconds / dateTimeNanoseconds) in Unix nanoseconds.
@inline(__always) private func ntpNanoseconds(_ value: UInt64) -> Int64 {
    let seconds = Int64(value >> 32) - ntpToUnixSeconds
    let fraction = Int64(((value & 0xFFFF_FFFF) &* 1_000_000_000) >> 32)
    return seconds &* 1_000_000_000 &+ fraction
}

/// What one data record turned out to be.
enum DataRecordOutcome {
    /// A flow, written into the record given.
    case flow
    /// No address (not a flow) or an options record (whose announcements update the session).
    case other
    /// It ran past the end of its set.
    case truncated
}

/// The values of one record that are worked out from several of its fields, gathered while the fields are read.
struct RecordScratch {
    var hasSource = false
    var hasDestination = false
    var start: Int64?
    var end: Int64?
    var firstUptime: Int64?
    var lastUptime: Int64?
    var duration: Int64?
    var systemInit: Int64?
    var sampling: Int64?
    var packetInterval: Int64?
    var packetSpace: Int64?
    var octets: Int64?
    var packets: Int64?
    var reverseOctets: Int64?
    var reversePackets: Int64?

    /// Reads the field of `role` at `at` (`length` bytes, all within `d`) into `r` or here.
    @inline(__always)
    mutating func fill(_ role: FieldRole, at: Int, length: Int, in d: UnsafeRawBufferPointer, exportNs: Int64,
                       into r: inout NetFlowRecord) {
        let value = d.unsigned(at, length: length)
        let signed = Int64(bitPattern: value)
        switch role {
        case .ignore, .enterprise: break
        case .octets: octets = signed
        case .packets: packets = signed
        case .reverseOctets: reverseOctets = signed
        case .reversePackets: reversePackets = signed
        case .initiatorOctets: if octets == nil { octets = signed }
        case .initiatorPackets: if packets == nil { packets = signed }
        case .responderOctets: reverseOctets = signed
        case .responderPackets: reversePackets = signed
        case .protocolNumber: r.ianaNumber = UInt8(truncatingIfNeeded: value)
        case .tos: r.tos = signed
        case .tcpFlags: r.tcpFlags = signed & 0xFFF
        case .sourcePort: r.sourcePort = UInt16(truncatingIfNeeded: value)
        case .destinationPort: r.destinationPort = UInt16(truncatingIfNeeded: value)
        // Templates that carry both families fill the unused one with zeros; zeros never replace an address.
        case .sourceIPv4:
            if length == 4, !(hasSource && value == 0) { r.sourceIP = IPAddress(ipv4: UInt32(truncatingIfNeeded: value)); hasSource = true }
        case .destinationIPv4:
            if length == 4, !(hasDestination && value == 0) {
                r.destinationIP = IPAddress(ipv4: UInt32(truncatingIfNeeded: value))
                hasDestination = true
            }
        case .sourceIPv6:
            if length == 16 {
                let address = IPAddress(ipv6High: d.u64(at), low: d.u64(at + 8))
                if !(hasSource && address.high == 0 && address.low == 0) { r.sourceIP = address; hasSource = true }
            }
        case .destinationIPv6:
            if length == 16 {
                let address = IPAddress(ipv6High: d.u64(at), low: d.u64(at + 8))
                if !(hasDestination && address.high == 0 && address.low == 0) { r.destinationIP = address; hasDestination = true }
            }
        case .inputInterface: r.inputInterface = signed
        case .outputInterface: r.outputInterface = signed
        case .nextHopIPv4: if length == 4 { r.nextHop = IPAddress(ipv4: UInt32(truncatingIfNeeded: value)) }
        case .nextHopIPv6: if length == 16 { r.nextHop = IPAddress(ipv6High: d.u64(at), low: d.u64(at + 8)) }
        case .bgpNextHopIPv4: if length == 4 { r.bgpNextHop = IPAddress(ipv4: UInt32(truncatingIfNeeded: value)) }
        case .bgpNextHopIPv6: if length == 16 { r.bgpNextHop = IPAddress(ipv6High: d.u64(at), low: d.u64(at + 8)) }
        case .sourceAS: r.sourceAS = signed
        case .destinationAS: r.destinationAS = signed
        case .firstUptime: firstUptime = signed
        case .lastUptime: lastUptime = signed
        case .startSeconds: start = signed &* 1_000_000_000
        case .endSeconds: end = signed &* 1_000_000_000
        case .startMilliseconds: start = signed &* 1_000_000
        case .endMilliseconds: end = signed &* 1_000_000
        case .startMicroseconds: if length == 8 { start = ntpNanoseconds(value & ~0x7FF) }
        case .endMicroseconds: if length == 8 { end = ntpNanoseconds(value & ~0x7FF) }
        case .startNanoseconds: if length == 8 { start = ntpNanoseconds(value) }
        case .endNanoseconds: if length == 8 { end = ntpNanoseconds(value) }
        case .startDeltaMicroseconds: start = exportNs &- signed &* 1_000
        case .endDeltaMicroseconds: end = exportNs &- signed &* 1_000
        case .durationMilliseconds: duration = signed &* 1_000_000
        case .durationMicroseconds: duration = signed &* 1_000
        case .systemInitMilliseconds: systemInit = signed
        case .icmpTypeCode:
            r.icmpType = UInt8(truncatingIfNeeded: value >> 8)
            r.icmpCode = UInt8(truncatingIfNeeded: value)
        case .icmpType: r.icmpType = UInt8(truncatingIfNeeded: value)
        case .icmpCode: r.icmpCode = UInt8(truncatingIfNeeded: value)
        case .vlan: r.vlanID = UInt16(truncatingIfNeeded: value & 0xFFF)
        case .innerVLAN: r.innerVLANID = UInt16(truncatingIfNeeded: value & 0xFFF)
        case .direction: r.flowDirection = value == 0 ? .ingress : value == 1 ? .egress : nil
        case .samplingInterval, .samplerRandomInterval: sampling = signed
        case .samplingPacketInterval: packetInterval = signed
        case .samplingPacketSpace: packetSpace = signed
        }
    }
}

extension FlowExportDecoder {
    /// Decodes every record of a data set with its template; returns how many records (flow and options) it held.
    func decodeRecords(_ body: UnsafeRawBufferPointer, template: FlowTemplate, templateID: UInt16, context: ExportContext,
                       session: ExporterSession, stats: inout ExporterStatistics, into records: inout [NetFlowRecord]) -> Int {
        if let plan = template.plan {
            return decodePlannedRecords(body, plan: plan, context: context, session: session, stats: &stats, into: &records)
        }
        var offset = 0
        var count = 0
        let exportNs = Int64(context.exportSeconds) &* 1_000_000_000
        // Whatever is shorter than a record at the end is padding.
        while body.count - offset >= template.minimumLength {
            let recordStart = offset
            // Each record is decoded in its slot at the end of the batch, which is taken back when it is not a flow:
            // a record built aside would be copied (a few hundred bytes) on its way into the batch.
            records.append(NetFlowRecord(version: context.version, exporterIP: context.exporter,
                                         observationDomain: context.domain, exportTime: Timestamp(nanoseconds: exportNs)))
            let outcome = decodeRecord(body, at: &offset, template: template, context: context, session: session,
                                       into: &records[records.count - 1])
            if outcome != .flow { records.removeLast() }
            if outcome == .truncated {
                skipSet(.badDataRecord(templateID: templateID), &stats)
                break
            }
            count += 1
            if template.isOptions {
                stats.optionsRecords += 1
            } else if outcome == .flow {
                stats.flowRecords += 1
            } else {
                stats.addresslessRecords += 1
            }
            if offset == recordStart { break }
        }
        return count
    }

    /// `decodeRecords` for a template with a plan: each record's length is checked once, then its steps are read.
    // A function of its own: inlined into the decode loop, which is large, it would not get `fill` inlined (the
    // optimizer stops inlining into functions past a size), and a call per field costs more than the field.
    @inline(never)
    private func decodePlannedRecords(_ body: UnsafeRawBufferPointer, plan: FlowDecodePlan, context: ExportContext,
                                      session: ExporterSession, stats: inout ExporterStatistics,
                                      into records: inout [NetFlowRecord]) -> Int {
        let exportNs = Int64(context.exportSeconds) &* 1_000_000_000
        let length = plan.recordLength
        var offset = 0
        var count = 0
        plan.steps.withUnsafeBufferPointer { steps in
            // Whatever is shorter than a record at the end is padding.
            while body.count &- offset >= length {
                records.append(NetFlowRecord(version: context.version, exporterIP: context.exporter,
                                             observationDomain: context.domain, exportTime: Timestamp(nanoseconds: exportNs)))
                let outcome = decodePlannedRecord(body, at: offset, steps: steps, context: context, session: session,
                                                  into: &records[records.count &- 1])
                offset &+= length
                count &+= 1
                if outcome == .flow {
                    stats.flowRecords += 1
                } else {
                    records.removeLast()
                    stats.addresslessRecords += 1
                }
            }
        }
        return count
    }

    /// Decodes the record at `start`, which the caller checked is whole, into `r` by the plan's steps.
    @inline(__always)
    private func decodePlannedRecord(_ d: UnsafeRawBufferPointer, at start: Int, steps: UnsafeBufferPointer<FlowDecodePlan.Step>,
                                     context: ExportContext, session: ExporterSession,
                                     into r: inout NetFlowRecord) -> DataRecordOutcome {
        let exportNs = Int64(context.exportSeconds) &* 1_000_000_000
        var s = RecordScratch()
        for step in steps {
            s.fill(step.role, at: start &+ Int(step.offset), length: Int(step.length), in: d, exportNs: exportNs, into: &r)
        }
        return finish(&s, isOptions: false, context: context, session: session, into: &r)
    }

    /// Decodes one record at `offset` into `r` (made for this export message), advancing `offset`.
    @inline(never)
    private func decodeRecord(_ d: UnsafeRawBufferPointer, at offset: inout Int, template: FlowTemplate,
                              context: ExportContext, session: ExporterSession,
                              into r: inout NetFlowRecord) -> DataRecordOutcome {
        let exportNs = Int64(context.exportSeconds) &* 1_000_000_000
        var s = RecordScratch()
        for field in template.fields {
            var length = Int(field.length)
            if field.length == TemplateField.variableLength {
                guard d.count - offset >= 1 else { return .truncated }
                length = Int(d[offset])
                offset += 1
                if length == 255 {
                    guard d.count - offset >= 2 else { return .truncated }
                    length = Int(d.u16(offset))
                    offset += 2
                }
            }
            guard d.count - offset >= length else { return .truncated }
            let at = offset
            offset += length
            if field.role == .ignore || length == 0 { continue }
            if field.role == .enterprise {
                if !template.isOptions {
                    r.enterpriseElements.append(NetFlowEnterpriseElement(
                        enterprise: field.enterprise, id: field.id, bytes: Array(UnsafeRawBufferPointer(rebasing: d[at..<(at + length)]))))
                }
                continue
            }
            s.fill(field.role, at: at, length: length, in: d, exportNs: exportNs, into: &r)
        }
        return finish(&s, isOptions: template.isOptions, context: context, session: session, into: &r)
    }

    /// Works out what the fields of a whole record give together (times, sampling, counters) and whether it is a
    /// flow; for an options record, updates the session with what it announces.
    @inline(__always)
    private func finish(_ s: inout RecordScratch, isOptions: Bool, context: ExportContext, session: ExporterSession,
                        into r: inout NetFlowRecord) -> DataRecordOutcome {
        let exportNs = Int64(context.exportSeconds) &* 1_000_000_000
        if let packetInterval = s.packetInterval, packetInterval > 0 {
            s.sampling = (packetInterval &+ (s.packetSpace ?? 0)) / packetInterval
        }
        if isOptions {
            if let sampling = s.sampling, sampling > 0 { session.samplingInterval = sampling }
            if let systemInit = s.systemInit { session.systemInitMilliseconds = systemInit }
            return .other
        }
        var start = s.start
        var end = s.end
        // sysUpTime-relative times: v9 against the header's uptime, IPFIX against the exporter's boot time.
        if context.version == 9 {
            let uptime = Int64(context.sysUptime)
            if let firstUptime = s.firstUptime { start = exportNs &- (uptime &- firstUptime) &* 1_000_000 }
            if let lastUptime = s.lastUptime { end = exportNs &- (uptime &- lastUptime) &* 1_000_000 }
        } else if let boot = s.systemInit ?? session.systemInitMilliseconds {
            if let firstUptime = s.firstUptime { start = (boot &+ firstUptime) &* 1_000_000 }
            if let lastUptime = s.lastUptime { end = (boot &+ lastUptime) &* 1_000_000 }
        }
        if let duration = s.duration {
            if start == nil, let end { start = end &- duration }
            if end == nil, let start { end = start &+ duration }
        }
        if let start { r.start = Timestamp(nanoseconds: start) }
        r.end = Timestamp(nanoseconds: end ?? start ?? exportNs)
        guard s.hasSource || s.hasDestination else { return .other }
        let scale = configuration.applySampling ? (s.sampling ?? session.samplingInterval ?? 1) : 1
        if scale > 1 { r.samplingInterval = scale }
        let factor = max(scale, 1)
        r.sourceBytes = s.octets.map { $0 &* factor }
        r.sourcePackets = s.packets.map { $0 &* factor }
        if s.reverseOctets != nil || s.reversePackets != nil {
            r.kind = .bidirectional
            r.destinationBytes = s.reverseOctets.map { $0 &* factor }
            r.destinationPackets = s.reversePackets.map { $0 &* factor }
        }
        r.observerName = configuration.observerName
        return .flow
    }
}

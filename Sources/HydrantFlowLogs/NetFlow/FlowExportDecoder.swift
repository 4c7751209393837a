import HydrantRecords

/// Decodes NetFlow v5, v9 and IPFIX (RFC 7011) export datagrams into flow records.
///
/// Templates are kept per exporter address and observation domain (source id); data that arrives before its
/// template is held for a bounded time and size; sequence gaps and malformed input are counted per exporter.
/// Every read is checked against the datagram, so hostile input costs a counter, never a crash.
/// One decoder serves one thread; run one per receive thread.
public final class FlowExportDecoder {
    /// Bounds and choices.
    public struct Configuration: Sendable {
        /// How long a data set may wait for its template.
        public var pendingMaxAgeNanoseconds: Int64 = 30_000_000_000
        /// Total bytes of held data sets, over all exporters.
        public var pendingByteLimit = 4 << 20
        /// Template spaces (exporter × domain) kept; data from further ones is counted malformed.
        public var maxSessions = 4096
        /// Templates kept per template space.
        public var maxTemplatesPerSession = 4096
        /// Multiply counters by the announced sampling interval.
        public var applySampling = true
        /// Written to `observer.name`.
        public var observerName: String?
        /// Keep enterprise-specific IPFIX elements (those without a mapping) in `netflow.enterprise` instead of
        /// skipping them.
        public var keepEnterpriseElements = false
        /// A template not refreshed for this long is forgotten (RFC 7011 §8.4: templates sent over UDP expire);
        /// nil keeps templates until they are replaced or withdrawn.
        public var templateTimeoutNanoseconds: Int64?

        /// The defaults: 30 s and 4 MiB of held data, 4096 spaces of 4096 templates, sampling applied, enterprise
        /// elements skipped, templates kept until replaced.
        public init() {}
    }

    /// The bounds in force.
    public let configuration: Configuration
    private var sessions: [SessionKey: ExporterSession] = [:]
    private var pendingBytes = 0
    /// Counts per exporter address.
    public private(set) var statistics: [IPAddress: ExporterStatistics] = [:]

    /// A decoder with `configuration`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Counts summed over all exporters.
    public var totals: ExporterStatistics {
        var sum = ExporterStatistics()
        for (_, s) in statistics { sum.add(s) }
        return sum
    }

    /// Decodes one datagram from `exporter`, received at `receivedAt`, appending its flow records to `records`.
    /// Returns the number of records appended.
    @discardableResult
    public func decode(_ datagram: UnsafeRawBufferPointer, from exporter: IPAddress, receivedAt: Timestamp,
                       into records: inout [NetFlowRecord]) -> Int {
        let before = records.count
        var stats = statistics[exporter] ?? ExporterStatistics()
        stats.datagrams += 1
        if datagram.count < 2 {
            reject(.truncatedHeader(version: 0, length: datagram.count), &stats)
        } else {
            switch datagram.u16(0) {
            case 5: decodeV5(datagram, exporter: exporter, stats: &stats, into: &records)
            case 9: decodeV9(datagram, exporter: exporter, receivedAt: receivedAt, stats: &stats, into: &records)
            case 10: decodeIPFIX(datagram, exporter: exporter, receivedAt: receivedAt, stats: &stats, into: &records)
            case let version: reject(.unknownVersion(version), &stats)
            }
        }
        statistics[exporter] = stats
        return records.count - before
    }

    /// Decodes a datagram held in an array.
    @discardableResult
    public func decode(_ datagram: [UInt8], from exporter: IPAddress, receivedAt: Timestamp,
                       into records: inout [NetFlowRecord]) -> Int {
        datagram.withUnsafeBytes { decode($0, from: exporter, receivedAt: receivedAt, into: &records) }
    }

    private func reject(_ why: FlowExportMalformation, _ stats: inout ExporterStatistics) {
        stats.malformedDatagrams += 1
        stats.lastMalformation = why
    }

    func skipSet(_ why: FlowExportMalformation, _ stats: inout ExporterStatistics) {
        stats.malformedSets += 1
        stats.lastMalformation = why
    }

    /// Counts a sequence number against the expected one; `next` is what the following message should carry.
    private func track(sequence: UInt32, next: UInt32?, session: ExporterSession,
                       stats: inout ExporterStatistics) {
        if let expected = session.expectedSequence {
            let ahead = Int32(bitPattern: sequence &- expected)
            // Behind (reordering, an exporter restart) is not loss; ahead is.
            if ahead > 0 {
                stats.sequenceGaps += 1
                stats.sequenceLost += Int(ahead)
            }
        }
        session.expectedSequence = next
    }

    private func sessionFor(_ key: SessionKey, _ stats: inout ExporterStatistics) -> ExporterSession? {
        if let existing = sessions[key] { return existing }
        guard sessions.count < configuration.maxSessions else { return nil }
        let created = ExporterSession()
        sessions[key] = created
        return created
    }

    // MARK: NetFlow v5

    private func decodeV5(_ d: UnsafeRawBufferPointer, exporter: IPAddress, stats: inout ExporterStatistics,
                          into records: inout [NetFlowRecord]) {
        guard d.count >= 24 else { return reject(.truncatedHeader(version: 5, length: d.count), &stats) }
        let count = Int(d.u16(2))
        let available = (d.count - 24) / 48
        guard count >= 1, count <= 30, count <= available else {
            return reject(.badRecordCount(count, available: available), &stats)
        }
        let uptime = d.u32(4)
        let seconds = Int64(d.u32(8))
        let exportNs = seconds &* 1_000_000_000 &+ Int64(min(d.u32(12), 999_999_999))
        let sequence = d.u32(16)
        let domain = UInt32(d.u8(20)) << 8 | UInt32(d.u8(21))
        let samplingField = d.u16(22)
        let interval = Int64(samplingField & 0x3FFF)
        let key = SessionKey(exporter: exporter, domain: domain, version: 5)
        if let session = sessionFor(key, &stats) {
            track(sequence: sequence, next: sequence &+ UInt32(count), session: session, stats: &stats)
        }
        let scale: Int64 = configuration.applySampling && interval > 1 ? interval : 1
        let exportTime = Timestamp(nanoseconds: exportNs)
        for i in 0..<count {
            let o = 24 + i * 48
            var r = NetFlowRecord(version: 5, exporterIP: exporter, observationDomain: domain, exportTime: exportTime)
            r.observerName = configuration.observerName
            r.sourceIP = IPAddress(ipv4: d.u32(o))
            r.destinationIP = IPAddress(ipv4: d.u32(o + 4))
            r.nextHop = IPAddress(ipv4: d.u32(o + 8))
            r.inputInterface = Int64(d.u16(o + 12))
            r.outputInterface = Int64(d.u16(o + 14))
            r.sourcePackets = Int64(d.u32(o + 16)) &* scale
            r.sourceBytes = Int64(d.u32(o + 20)) &* scale
            r.start = Timestamp(nanoseconds: exportNs &- Int64(Int32(bitPattern: uptime &- d.u32(o + 24))) &* 1_000_000)
            r.end = Timestamp(nanoseconds: exportNs &- Int64(Int32(bitPattern: uptime &- d.u32(o + 28))) &* 1_000_000)
            r.ianaNumber = d.u8(o + 38)
            if r.ianaNumber == 6 || r.ianaNumber == 17 || r.ianaNumber == 132 {
                r.sourcePort = d.u16(o + 32)
                r.destinationPort = d.u16(o + 34)
            } else if r.ianaNumber == 1 || r.ianaNumber == 58 {
                // v5 carries ICMP type and code in the destination port.
                let typeCode = d.u16(o + 34)
                r.icmpType = UInt8(typeCode >> 8)
                r.icmpCode = UInt8(typeCode & 0xFF)
            }
            r.tcpFlags = Int64(d.u8(o + 37))
            r.tos = Int64(d.u8(o + 39))
            r.sourceAS = Int64(d.u16(o + 40))
            r.destinationAS = Int64(d.u16(o + 42))
            if scale > 1 { r.samplingInterval = scale }
            records.append(r)
        }
        stats.flowRecords += count
    }

    // MARK: NetFlow v9

    private func decodeV9(_ d: UnsafeRawBufferPointer, exporter: IPAddress, receivedAt: Timestamp,
                          stats: inout ExporterStatistics, into records: inout [NetFlowRecord]) {
        guard d.count >= 20 else { return reject(.truncatedHeader(version: 9, length: d.count), &stats) }
        let context = ExportContext(version: 9, exporter: exporter, domain: d.u32(16), exportSeconds: d.u32(8), sysUptime: d.u32(4))
        guard let session = sessionFor(SessionKey(exporter: exporter, domain: context.domain, version: 9), &stats) else {
            return reject(.badTemplate(id: 0), &stats)
        }
        let sequence = d.u32(12)
        track(sequence: sequence, next: sequence &+ 1, session: session, stats: &stats)
        var offset = 20
        while d.count - offset >= 4 {
            let id = d.u16(offset)
            let length = Int(d.u16(offset + 2))
            guard length >= 4, length <= d.count - offset else {
                // Exporters pad datagrams with zeros; a zero set header after real sets is padding, not damage.
                if id == 0, length == 0 { break }
                skipSet(.badSetLength(setID: id, length: length), &stats)
                break
            }
            let body = UnsafeRawBufferPointer(rebasing: d[(offset + 4)..<(offset + length)])
            switch id {
            case 0: readTemplates(body, ipfix: false, options: false, session: session, at: receivedAt, stats: &stats)
                releasePending(session, stats: &stats, into: &records)
            case 1: readTemplates(body, ipfix: false, options: true, session: session, at: receivedAt, stats: &stats)
                releasePending(session, stats: &stats, into: &records)
            case 256...:
                _ = decodeDataSet(body, templateID: id, context: context, session: session, receivedAt: receivedAt,
                                  stats: &stats, into: &records)
            default: skipSet(.reservedSetID(id), &stats)
            }
            offset += length
        }
        expirePending(session, now: receivedAt, stats: &stats)
    }

    // MARK: IPFIX

    private func decodeIPFIX(_ d: UnsafeRawBufferPointer, exporter: IPAddress, receivedAt: Timestamp,
                             stats: inout ExporterStatistics, into records: inout [NetFlowRecord]) {
        guard d.count >= 16 else { return reject(.truncatedHeader(version: 10, length: d.count), &stats) }
        let declared = Int(d.u16(2))
        guard declared >= 16, declared <= d.count else {
            return reject(.badMessageLength(declared: declared, actual: d.count), &stats)
        }
        let message = UnsafeRawBufferPointer(rebasing: d[0..<declared])
        let context = ExportContext(version: 10, exporter: exporter, domain: message.u32(12), exportSeconds: message.u32(4), sysUptime: 0)
        guard let session = sessionFor(SessionKey(exporter: exporter, domain: context.domain, version: 10), &stats) else {
            return reject(.badTemplate(id: 0), &stats)
        }
        let sequence = message.u32(8)
        var dataRecords = 0
        var held = false
        var offset = 16
        while message.count - offset >= 4 {
            let id = message.u16(offset)
            let length = Int(message.u16(offset + 2))
            guard length >= 4, length <= message.count - offset else {
                skipSet(.badSetLength(setID: id, length: length), &stats)
                break
            }
            let body = UnsafeRawBufferPointer(rebasing: message[(offset + 4)..<(offset + length)])
            switch id {
            case 2: readTemplates(body, ipfix: true, options: false, session: session, at: receivedAt, stats: &stats)
                releasePending(session, stats: &stats, into: &records)
            case 3: readTemplates(body, ipfix: true, options: true, session: session, at: receivedAt, stats: &stats)
                releasePending(session, stats: &stats, into: &records)
            case 256...:
                if let decoded = decodeDataSet(body, templateID: id, context: context, session: session,
                                               receivedAt: receivedAt, stats: &stats, into: &records) {
                    dataRecords += decoded
                } else {
                    held = true
                }
            default: skipSet(.reservedSetID(id), &stats)
            }
            offset += length
        }
        // The IPFIX sequence number counts data records; with a set held, this message's count is unknown.
        track(sequence: sequence, next: held ? nil : sequence &+ UInt32(truncatingIfNeeded: dataRecords),
              session: session, stats: &stats)
        expirePending(session, now: receivedAt, stats: &stats)
    }

    // MARK: Templates

    /// Reads a template or options template set (v9 or IPFIX), learning, refreshing and withdrawing templates.
    private func readTemplates(_ body: UnsafeRawBufferPointer, ipfix: Bool, options: Bool, session: ExporterSession,
                               at receivedAt: Timestamp, stats: inout ExporterStatistics) {
        var offset = 0
        while body.count - offset >= 4 {
            let id = body.u16(offset)
            var fields: [TemplateField] = []
            var scopeCount = 0
            var fieldOffset: Int
            var fieldCount: Int
            if !ipfix && options {
                // v9 options template: id, scope length (bytes), options length (bytes).
                guard body.count - offset >= 6 else { return skipSet(.badTemplate(id: id), &stats) }
                let scopeBytes = Int(body.u16(offset + 2))
                let optionBytes = Int(body.u16(offset + 4))
                if id == 0 && scopeBytes == 0 && optionBytes == 0 { return }  // padding
                guard scopeBytes % 4 == 0, optionBytes % 4 == 0 else { return skipSet(.badTemplate(id: id), &stats) }
                scopeCount = scopeBytes / 4
                fieldCount = scopeCount + optionBytes / 4
                fieldOffset = offset + 6
            } else {
                fieldCount = Int(body.u16(offset + 2))
                fieldOffset = offset + 4
                if ipfix && fieldCount == 0 {
                    withdraw(id, options: options, session: session, stats: &stats)
                    offset += 4
                    continue
                }
                if ipfix && options {
                    guard body.count - offset >= 6 else { return skipSet(.badTemplate(id: id), &stats) }
                    scopeCount = Int(body.u16(offset + 4))
                    fieldOffset = offset + 6
                    guard scopeCount <= fieldCount else { return skipSet(.badTemplate(id: id), &stats) }
                }
            }
            if id == 0 && fieldCount == 0 { return }  // v9 padding
            guard id >= 256, fieldCount > 0 else { return skipSet(.badTemplate(id: id), &stats) }
            fields.reserveCapacity(fieldCount)
            for i in 0..<fieldCount {
                guard body.count - fieldOffset >= 4 else { return skipSet(.badTemplate(id: id), &stats) }
                var element = body.u16(fieldOffset)
                let length = body.u16(fieldOffset + 2)
                fieldOffset += 4
                var enterprise: UInt32 = 0
                if ipfix && element & 0x8000 != 0 {
                    guard body.count - fieldOffset >= 4 else { return skipSet(.badTemplate(id: id), &stats) }
                    enterprise = body.u32(fieldOffset)
                    element &= 0x7FFF
                    fieldOffset += 4
                }
                // v9 scope fields are scope kinds (system, interface, …), not information elements.
                let isV9Scope = !ipfix && i < scopeCount
                var role = isV9Scope ? FieldRole.ignore : FieldRole.of(id: element, enterprise: enterprise)
                if role == .ignore, enterprise != 0, configuration.keepEnterpriseElements { role = .enterprise }
                fields.append(TemplateField(id: element, enterprise: enterprise, length: length, role: role))
            }
            let template = FlowTemplate(fields: fields, scopeCount: scopeCount, isOptions: options,
                                        learnedAt: receivedAt.nanoseconds)
            // A record of zero bytes would never advance through its data set.
            guard template.minimumLength > 0 else {
                skipSet(.badTemplate(id: id), &stats)
                offset = fieldOffset
                continue
            }
            if session.templates[id] == nil, session.templates.count >= configuration.maxTemplatesPerSession {
                skipSet(.badTemplate(id: id), &stats)
            } else {
                session.templates[id] = template
                if options { stats.optionsTemplates += 1 } else { stats.templates += 1 }
            }
            offset = fieldOffset
        }
    }

    private func withdraw(_ id: UInt16, options: Bool, session: ExporterSession, stats: inout ExporterStatistics) {
        // Withdrawing id 2 (template set) or 3 (options set) withdraws every template of that kind.
        if id == 2 || id == 3 {
            let before = session.templates.count
            session.templates = session.templates.filter { $0.value.isOptions != options }
            stats.templateWithdrawals += before - session.templates.count
        } else if session.templates.removeValue(forKey: id) != nil {
            stats.templateWithdrawals += 1
        }
    }

    // MARK: Held data

    private func hold(_ body: UnsafeRawBufferPointer, templateID: UInt16, context: ExportContext, session: ExporterSession,
                      receivedAt: Timestamp, stats: inout ExporterStatistics) {
        guard pendingBytes + body.count <= configuration.pendingByteLimit else {
            stats.pendingSetsDropped += 1
            return
        }
        pendingBytes += body.count
        session.pending.append(PendingSet(templateID: templateID, body: Array(body), context: context, receivedAt: receivedAt))
        stats.pendingSets += 1
    }

    private func expirePending(_ session: ExporterSession, now: Timestamp, stats: inout ExporterStatistics) {
        guard !session.pending.isEmpty else { return }
        let oldest = now.nanoseconds &- configuration.pendingMaxAgeNanoseconds
        var kept: [PendingSet] = []
        for set in session.pending {
            if set.receivedAt.nanoseconds < oldest {
                pendingBytes -= set.body.count
                stats.pendingSetsDropped += 1
            } else {
                kept.append(set)
            }
        }
        session.pending = kept
    }

    /// Decodes held sets whose template is now known.
    func releasePending(_ session: ExporterSession, stats: inout ExporterStatistics, into records: inout [NetFlowRecord]) {
        guard !session.pending.isEmpty else { return }
        var kept: [PendingSet] = []
        for set in session.pending {
            guard let template = session.templates[set.templateID] else {
                kept.append(set)
                continue
            }
            pendingBytes -= set.body.count
            let decoded = set.body.withUnsafeBytes { body in
                decodeRecords(body, template: template, templateID: set.templateID, context: set.context, session: session,
                              stats: &stats, into: &records)
            }
            stats.pendingRecordsReleased += decoded
        }
        session.pending = kept
    }

    // MARK: Data

    /// Decodes a data set; nil when its template is unknown (the set is held).
    private func decodeDataSet(_ body: UnsafeRawBufferPointer, templateID: UInt16, context: ExportContext,
                               session: ExporterSession, receivedAt: Timestamp, stats: inout ExporterStatistics,
                               into records: inout [NetFlowRecord]) -> Int? {
        if let timeout = configuration.templateTimeoutNanoseconds, let template = session.templates[templateID],
           receivedAt.nanoseconds &- template.learnedAt > timeout {
            // Not refreshed in time: the exporter may have restarted with other templates under the same id.
            session.templates[templateID] = nil
            stats.templatesExpired += 1
        }
        guard let template = session.templates[templateID] else {
            hold(body, templateID: templateID, context: context, session: session, receivedAt: receivedAt, stats: &stats)
            return nil
        }
        return decodeRecords(body, template: template, templateID: templateID, context: context, session: session,
                             stats: &stats, into: &records)
    }
}

import HydrantRecords

/// Turns VPC Flow Logs lines of one format into records; one line at a time, so that any source (a file, stdin,
/// Firehose records carrying one line each) can feed it.
public struct VPCFlowLogParser: Sendable {
    /// The columns of the lines.
    public let format: VPCFlowLogFormat
    /// Named in errors: a file name, `<stdin>`, or a stream.
    public var source: String
    /// The event time of lines whose format has no `start`/`end` (e.g. when the file was delivered).
    public var defaultTime: Timestamp
    /// Written to `observer.name`.
    public var observerName: String?

    /// A parser for lines of `format`.
    public init(format: VPCFlowLogFormat, source: String, defaultTime: Timestamp, observerName: String? = nil) {
        self.format = format
        self.source = source
        self.defaultTime = defaultTime
        self.observerName = observerName
    }

    /// Splits a line into its fields and reads each by its kind; `-` becomes `.null`.
    public func values(of line: some Collection<UInt8>, lineNumber: Int) throws(VPCFlowLogError) -> [VPCFlowLogValue] {
        var values: [VPCFlowLogValue] = []
        values.reserveCapacity(format.columns.count)
        var word: [UInt8] = []
        word.reserveCapacity(64)
        var found = 0
        func finish() throws(VPCFlowLogError) {
            guard !word.isEmpty else { return }
            found += 1
            if found <= format.columns.count {
                values.append(try value(word, column: format.columns[found - 1], lineNumber: lineNumber))
            }
            word.removeAll(keepingCapacity: true)
        }
        for byte in line {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                try finish()
            } else {
                word.append(byte)
            }
        }
        try finish()
        guard found == format.columns.count else {
            throw VPCFlowLogError(source: source, line: lineNumber, field: nil,
                                  reason: .fieldCount(expected: format.columns.count, found: found))
        }
        return values
    }

    private func value(_ word: [UInt8], column: VPCFlowLogColumn, lineNumber: Int) throws(VPCFlowLogError) -> VPCFlowLogValue {
        if word.count == 1, word[0] == UInt8(ascii: "-") { return .null }
        guard case .known(let field) = column else { return .text(String(decoding: word, as: UTF8.self)) }
        switch field.kind {
        case .integer(let max):
            var n: Int64 = 0
            for byte in word {
                let digit = Int64(byte) - 48
                guard digit >= 0, digit <= 9, n <= (max - digit) / 10 else {
                    throw VPCFlowLogError(source: source, line: lineNumber, field: field.rawValue,
                                          reason: .notAnInteger(String(decoding: word, as: UTF8.self), max: max))
                }
                n = n * 10 + digit
            }
            return .integer(n)
        case .address:
            let text = String(decoding: word, as: UTF8.self)
            guard IPAddress(text) != nil else {
                throw VPCFlowLogError(source: source, line: lineNumber, field: field.rawValue, reason: .notAnAddress(text))
            }
            return .text(text)
        case .word(let allowed):
            let text = String(decoding: word, as: UTF8.self)
            guard allowed.contains(text) else {
                throw VPCFlowLogError(source: source, line: lineNumber, field: field.rawValue,
                                      reason: .notAllowed(text, allowed: allowed))
            }
            return .text(text)
        case .text:
            return .text(String(decoding: word, as: UTF8.self))
        }
    }

    /// Parses one line into a flow record or a status report.
    public func parse(line: some Collection<UInt8>, lineNumber: Int) throws(VPCFlowLogError) -> VPCFlowLogEntry {
        try entry(from: values(of: line, lineNumber: lineNumber), lineNumber: lineNumber)
    }

    /// Maps a line's values onto a record (traffic) or a status report (`NODATA`, `SKIPDATA`).
    public func entry(from values: [VPCFlowLogValue], lineNumber: Int) throws(VPCFlowLogError) -> VPCFlowLogEntry {
        func get(_ field: VPCFlowLogField) -> VPCFlowLogValue {
            guard let i = format.column(of: field), i < values.count else { return .null }
            return values[i]
        }
        func text(_ field: VPCFlowLogField) -> String? {
            if case .text(let s) = get(field) { return s }
            return nil
        }
        func integer(_ field: VPCFlowLogField) -> Int64? {
            if case .integer(let n) = get(field) { return n }
            return nil
        }
        func time(_ field: VPCFlowLogField) -> Timestamp? {
            integer(field).map { Timestamp(seconds: $0, nanoseconds: 0) }
        }
        let start = time(.start) ?? defaultTime
        let end = time(.end) ?? start
        let status = text(.logStatus)
        if let status, status != "OK" {
            return .status(VPCFlowLogStatus(logStatus: status, accountID: text(.accountID), interfaceID: text(.interfaceID),
                                            start: start, end: end))
        }
        // A traffic line needs both addresses; "-" there without a status is a damaged line.
        guard let sourceText = text(.srcaddr), let sourceIP = IPAddress(sourceText) else {
            throw VPCFlowLogError(source: source, line: lineNumber, field: "srcaddr", reason: .notAnAddress("-"))
        }
        guard let destinationText = text(.dstaddr), let destinationIP = IPAddress(destinationText) else {
            throw VPCFlowLogError(source: source, line: lineNumber, field: "dstaddr", reason: .notAnAddress("-"))
        }
        var record = VPCFlowLogRecord(start: start, end: end, sourceIP: sourceIP, destinationIP: destinationIP,
                                      ianaNumber: UInt8(truncatingIfNeeded: integer(.protocol) ?? 0))
        record.observerName = observerName
        record.sourcePort = integer(.srcport).map { UInt16(truncatingIfNeeded: $0) }
        record.destinationPort = integer(.dstport).map { UInt16(truncatingIfNeeded: $0) }
        record.sourceBytes = integer(.bytes)
        record.sourcePackets = integer(.packets)
        record.direction = text(.flowDirection)
        record.outcome = text(.action)?.lowercased()
        record.version = integer(.version)
        record.accountID = text(.accountID)
        record.region = text(.region)
        record.availabilityZoneID = text(.azID)
        record.interfaceID = text(.interfaceID)
        record.vpcID = text(.vpcID)
        record.subnetID = text(.subnetID)
        record.instanceID = text(.instanceID)
        record.trafficType = text(.type)
        record.packetSourceIP = text(.pktSrcaddr).flatMap(IPAddress.init)
        record.packetDestinationIP = text(.pktDstaddr).flatMap(IPAddress.init)
        record.packetSourceService = text(.pktSrcAWSService)
        record.packetDestinationService = text(.pktDstAWSService)
        record.trafficPath = integer(.trafficPath)
        record.tcpFlags = integer(.tcpFlags)
        record.logStatus = status
        record.sublocationType = text(.sublocationType)
        record.sublocationID = text(.sublocationID)
        record.resourceType = text(.resourceType)
        record.transitGatewayID = text(.tgwID)
        record.transitGatewayAttachmentID = text(.tgwAttachmentID)
        record.ecsClusterName = text(.ecsClusterName)
        record.ecsTaskID = text(.ecsTaskID)
        record.ecsServiceName = text(.ecsServiceName)
        return .flow(record)
    }
}

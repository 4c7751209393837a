import HydrantRecords

/// Identifies one template space: an exporter address with one observation domain (IPFIX) or source id (v9).
struct SessionKey: Hashable, Sendable {
    var exporter: IPAddress
    var domain: UInt32
    var version: UInt16
}

/// Where the times of one export message are measured from.
struct ExportContext: Sendable {
    var version: UInt16
    var exporter: IPAddress
    var domain: UInt32
    /// Export time, seconds since the epoch.
    var exportSeconds: UInt32
    /// v9 and v5: the exporter's uptime at export, in milliseconds.
    var sysUptime: UInt32
}

/// A data set that arrived before its template, held (copied) for a bounded time.
struct PendingSet: Sendable {
    var templateID: UInt16
    var body: [UInt8]
    var context: ExportContext
    var receivedAt: Timestamp
}

/// The state one template space keeps: templates, sequence tracking, announced sampling and held data.
final class ExporterSession {
    /// Templates and options templates by id.
    var templates: [UInt16: FlowTemplate] = [:]
    /// The sequence number the next message should carry, when known.
    var expectedSequence: UInt32?
    /// The sampling interval the exporter announced in options data (1 in N).
    var samplingInterval: Int64?
    /// When the exporter booted (IPFIX `systemInitTimeMilliseconds`), to place sysUpTime-relative times.
    var systemInitMilliseconds: Int64?
    /// Data sets waiting for their template.
    var pending: [PendingSet] = []
}

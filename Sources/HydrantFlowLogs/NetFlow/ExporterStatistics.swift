/// What one exporter (one source address) has sent, summed over its observation domains.
public struct ExporterStatistics: Sendable, Equatable {
    /// Datagrams received.
    public var datagrams = 0
    /// Flow records decoded and emitted.
    public var flowRecords = 0
    /// Options data records (sampling, interface tables, exporter statistics) read, not emitted as flows.
    public var optionsRecords = 0
    /// Data records that carried neither a source nor a destination address (firewall events, application
    /// tables); counted, not emitted.
    public var addresslessRecords = 0
    /// Templates learned or refreshed.
    public var templates = 0
    /// Options templates learned or refreshed.
    public var optionsTemplates = 0
    /// Templates withdrawn (IPFIX).
    public var templateWithdrawals = 0
    /// Templates forgotten because they were not refreshed within the template timeout.
    public var templatesExpired = 0
    /// Datagrams rejected whole (bad header, length or count).
    public var malformedDatagrams = 0
    /// Sets or records skipped inside otherwise readable datagrams.
    public var malformedSets = 0
    /// Data sets held until their template arrived.
    public var pendingSets = 0
    /// Records decoded from held sets once their template arrived.
    public var pendingRecordsReleased = 0
    /// Held sets dropped for age or for the buffer bound.
    public var pendingSetsDropped = 0
    /// Times the sequence number skipped ahead.
    public var sequenceGaps = 0
    /// Export datagrams (v9) or records (v5, IPFIX) missing according to sequence numbers.
    public var sequenceLost = 0
    /// The last malformation seen.
    public var lastMalformation: FlowExportMalformation?

    /// Nothing received yet.
    public init() {}

    /// Adds another exporter's counts (for totals).
    public mutating func add(_ other: ExporterStatistics) {
        datagrams += other.datagrams
        flowRecords += other.flowRecords
        optionsRecords += other.optionsRecords
        addresslessRecords += other.addresslessRecords
        templates += other.templates
        optionsTemplates += other.optionsTemplates
        templateWithdrawals += other.templateWithdrawals
        templatesExpired += other.templatesExpired
        malformedDatagrams += other.malformedDatagrams
        malformedSets += other.malformedSets
        pendingSets += other.pendingSets
        pendingRecordsReleased += other.pendingRecordsReleased
        pendingSetsDropped += other.pendingSetsDropped
        sequenceGaps += other.sequenceGaps
        sequenceLost += other.sequenceLost
        if other.lastMalformation != nil { lastMalformation = other.lastMalformation }
    }
}

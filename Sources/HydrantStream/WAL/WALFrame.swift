import HydrantRecords

/// One durable frame of the write-ahead log: the records of one put, all in one segment, with the sequence number
/// of the first (the others follow one by one) and their arrival time.
public struct WALFrame: Sendable {
    /// The segment holding the frame.
    public let segment: UInt64
    /// The sequence number of the first record; sequence numbers grow by one per record across the log.
    public let firstSequence: UInt64
    /// When the records arrived (one put, one time).
    public let arrival: Timestamp
    /// The records.
    public let records: IngestBatch

    /// A frame.
    public init(segment: UInt64, firstSequence: UInt64, arrival: Timestamp, records: IngestBatch) {
        self.segment = segment
        self.firstSequence = firstSequence
        self.arrival = arrival
        self.records = records
    }
}

/// What the log did with one append.
public enum WALAppendResult: Sendable, Hashable {
    /// Written and synced; the records are at `segment`, from `firstSequence` on.
    case committed(segment: UInt64, firstSequence: UInt64)
    /// Not written: the live segments are at the backlog bound (or the log is closing).
    case throttled
    /// Not written, or not known to be synced: the write or sync failed.
    case failed(String)
}

/// What reopening the log found.
public struct WALReplayReport: Sendable, Hashable {
    /// Segments read.
    public var segments = 0
    /// Records found, all of them handed back for delivery.
    public var records = 0
    /// Bytes cut from the end of the last segment: a frame torn by a crash mid-write.
    public var truncatedBytes = 0
    /// Frames whose length or checksum is wrong in a segment other than the last (data after them in that segment
    /// cannot be read).
    public var corruptFrames = 0

    /// An empty report.
    public init() {}
}

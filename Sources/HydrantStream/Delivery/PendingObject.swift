import HydrantRecords

/// How many records of one log segment an object holds; released together once the object is delivered.
public struct SegmentCount: Hashable, Sendable {
    /// The segment.
    public let segment: UInt64
    /// The records.
    public var count: Int
}

/// A sealed buffer on its way to the destination: the uncompressed body, where it goes, and what it releases.
public struct PendingObject: Sendable {
    /// What an object holds.
    public enum Kind: String, Sendable, Hashable {
        /// Processed records under the stream's prefix.
        case data
        /// Error output records (Firehose's error envelope, one per line) under the error output prefix.
        case errorOutput
        /// Untransformed source records under the source record backup prefix.
        case sourceBackup
    }

    /// What the object holds.
    public let kind: Kind
    /// The evaluated prefix.
    public let prefix: String
    /// JSON lines, uncompressed.
    public var body: [UInt8] { storage.bytes }
    /// Owns the body, returning its memory to the stream's pool once the object is delivered and let go.
    let storage: ObjectBody
    /// Records in the body.
    public let records: Int
    /// The arrival time of the oldest record (the object name's time).
    public let oldestArrival: Timestamp
    /// The log records to release once delivered.
    public let segments: [SegmentCount]

    /// An object of `body`, whose memory goes back to `pool` (when given) once the last copy of the object is gone.
    init(kind: Kind, prefix: String, body: [UInt8], pool: ObjectBodyPool? = nil, records: Int,
         oldestArrival: Timestamp, segments: [SegmentCount]) {
        self.kind = kind
        self.prefix = prefix
        storage = ObjectBody(body, returningTo: pool)
        self.records = records
        self.oldestArrival = oldestArrival
        self.segments = segments
    }
}

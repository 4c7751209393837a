import HydrantRecords

/// A snapshot of one stream, for health checks, the status endpoint and tests.
public struct DeliveryStreamStatus: Sendable, Hashable {
    /// The stream name.
    public var name: String
    /// Bytes of live write-ahead log segments on disk.
    public var backlogBytes: Int
    /// Live segments (including the active one).
    public var segments: Int
    /// Open partition buffers.
    public var partitionCount: Int
    /// The arrival time of the oldest record not yet in a confirmed object, or nil when everything is delivered.
    public var oldestUndeliveredArrival: Timestamp?
    /// Objects sealed and not yet confirmed by the destination.
    public var objectsInFlight: Int
    /// Records accepted since start.
    public var acceptedRecords: Int
    /// Records answered "Slow down." since start.
    public var throttledRecords: Int
    /// Records read back from the log at start.
    public var replayedRecords: Int
    /// Records in objects the destination confirmed (data, error output and backup objects).
    public var deliveredRecords: Int
    /// Objects the destination confirmed.
    public var deliveredObjects: Int
    /// Records sent to the error output.
    public var errorOutputRecords: Int
    /// Failed puts (each retried).
    public var deliveryFailures: Int
    /// The write failure that stopped the log, if any.
    public var storageFailure: String?
    /// Whether the stream accepts records now.
    public var acceptingRecords: Bool
}

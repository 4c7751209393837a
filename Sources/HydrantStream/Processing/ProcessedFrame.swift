import HydrantRecords

/// A write-ahead log frame after the stream's record processors: the records to partition (enriched or
/// transformed), the records that failed a processor, and the alerts the frame raised. Everything here counts
/// against the frame's segment.
struct ProcessedFrame: Sendable {
    /// A record a processor failed, bound for the `processing-failed` error output.
    struct Failure: Sendable {
        /// The record as the failing processor received it.
        var record: [UInt8]
        /// The error output `errorCode`.
        var code: String
        /// The error output `errorMessage`.
        var message: String
        /// Invocations tried (`attemptsMade`).
        var attempts: Int
    }

    /// The frame as logged (source record backup copies these).
    let source: WALFrame
    /// The records to partition.
    var records: IngestBatch
    /// Per record of `records`, the partition keys an `http_transform` returned (`metadata.partitionKeys`); empty
    /// when no transform returned any.
    var transformKeys: [[String: String]] = []
    /// Whether `records` were already split by `deaggregate_json`.
    var deaggregated = false
    /// Records that failed a processor.
    var failures: [Failure] = []
    /// The alerts raised while processing this frame, one JSON object each (`alert` dataset).
    var alerts = IngestBatch()

    /// A frame no processor has touched.
    init(_ frame: WALFrame) {
        source = frame
        records = frame.records
    }

    /// The log segment everything here counts against.
    var segment: UInt64 { source.segment }
    /// When the frame's records arrived.
    var arrival: Timestamp { source.arrival }
}

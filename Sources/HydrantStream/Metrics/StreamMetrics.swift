import Metrics

/// A stream's metrics, under Firehose's CloudWatch names (`.` written `_`) with the dimension `stream`, plus
/// Hydrant's own. Created once per stream; incremented per batch or object, never per record.
struct StreamMetrics: Sendable {
    /// Records accepted into the write-ahead log.
    let incomingRecords: Counter
    /// Bytes of records accepted.
    let incomingBytes: Counter
    /// Records answered "Slow down.".
    let throttledRecords: Counter
    /// Objects the destination confirmed.
    let deliverySuccess: Counter
    /// Records in confirmed objects.
    let deliveryRecords: Counter
    /// Uncompressed bytes of confirmed objects.
    let deliveryBytes: Counter
    /// Failed object puts (each retried).
    let deliveryFailures: Counter
    /// Records sent to the error output.
    let errorOutputRecords: Counter
    /// Records read back from the log at start (possibly delivered again).
    let replayedRecords: Counter
    /// Age in seconds of the oldest undelivered record; 0 when none.
    let dataFreshness: Gauge
    /// Open partition buffers.
    let partitionCount: Gauge
    /// Bytes of live log segments.
    let backlogBytes: Gauge
    /// The share of puts the log compresses now (`log_compression: auto` moves it between 0 and 1).
    let logCompressedShare: Gauge

    init(stream: String) {
        let dimensions = [("stream", stream)]
        incomingRecords = Counter(label: "firehose_IncomingRecords", dimensions: dimensions)
        incomingBytes = Counter(label: "firehose_IncomingBytes", dimensions: dimensions)
        throttledRecords = Counter(label: "firehose_ThrottledRecords", dimensions: dimensions)
        deliverySuccess = Counter(label: "firehose_DeliveryToS3_Success", dimensions: dimensions)
        deliveryRecords = Counter(label: "firehose_DeliveryToS3_Records", dimensions: dimensions)
        deliveryBytes = Counter(label: "firehose_DeliveryToS3_Bytes", dimensions: dimensions)
        deliveryFailures = Counter(label: "hydrant_delivery_failures_total", dimensions: dimensions)
        errorOutputRecords = Counter(label: "hydrant_error_output_records_total", dimensions: dimensions)
        replayedRecords = Counter(label: "hydrant_replayed_records_total", dimensions: dimensions)
        dataFreshness = Gauge(label: "firehose_DeliveryToS3_DataFreshness", dimensions: dimensions)
        partitionCount = Gauge(label: "firehose_PartitionCount", dimensions: dimensions)
        backlogBytes = Gauge(label: "hydrant_backlog_bytes", dimensions: dimensions)
        logCompressedShare = Gauge(label: "hydrant_log_compressed_share", dimensions: dimensions)
    }
}

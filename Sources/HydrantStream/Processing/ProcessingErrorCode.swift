/// The `errorCode`s Hydrant writes in error output records.
///
/// Firehose does not document the codes of its built-in processors and of dynamic partitioning (the reference marks
/// them unconfirmed), so these follow its `<Area>.<Reason>` style and are stable for consumers of the error output.
public enum ProcessingErrorCode {
    /// A record given to `deaggregate_json` is not concatenated or newline-separated JSON objects.
    public static let deaggregationMalformed = "RecordDeAggregation.MalformedRecord"
    /// A record given to `deaggregate_json` holds more than 500 objects.
    public static let deaggregationTooManyRecords = "RecordDeAggregation.TooManySubRecords"
    /// A record given to `vpc_flow_log` is not a VPC Flow Logs line of the configured format.
    public static let vpcFlowLogMalformed = "VPCFlowLog.MalformedRecord"
    /// A partition key could not be read from the record (not JSON, missing, null, object or array).
    public static let metadataExtractionFailed = "DynamicPartitioning.MetadataExtractionFailed"
    /// A partition key's value cannot be part of a path, or the evaluated prefix is too long.
    public static let partitionValueRejected = "DynamicPartitioning.InvalidPartitionKeyValue"
    /// The stream already buffers `max_active_partitions` partitions.
    public static let activePartitionsExceeded = "DynamicPartitioning.ActivePartitionsExceeded"
}

/// The values `!{firehose:error-output-type}` takes: why the records under an error output prefix failed.
///
/// The first five are the values the Firehose developer guide lists; the rest are written by newer Firehose features
/// (decompression, active partition limits) or by Hydrant for failures Firehose files under dynamic partitioning.
public enum ErrorOutputType: String, Hashable, Sendable, CaseIterable {
    /// A processor (Lambda in Firehose, a transform in Hydrant) failed on the record.
    case processingFailed = "processing-failed"
    /// Delivery to OpenSearch failed.
    case openSearchFailed = "AmazonOpenSearchService-failed"
    /// Delivery to Splunk failed.
    case splunkFailed = "splunk-failed"
    /// Record format conversion (e.g. JSON to Parquet) failed.
    case formatConversionFailed = "format-conversion-failed"
    /// Delivery to an HTTP endpoint failed.
    case httpEndpointFailed = "http-endpoint-failed"
    /// Partition keys could not be extracted or the prefix could not be evaluated (unsafe or missing value).
    case partitioningFailed = "partitioning-failed"
    /// Decompression of a record failed.
    case decompressionFailed = "decompression-failed"
    /// The stream already had its maximum number of active partitions.
    case activePartitionExceeded = "activePartitionExceeded"
    /// An alert could not be delivered to a webhook within its retry time, or was refused for good (Hydrant).
    case alertDeliveryFailed = "alert-delivery-failed"
}

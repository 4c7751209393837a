import HydrantAlert

/// `destination: {http_endpoint: …}`: a stream whose batches are POSTed to a receiver of Firehose's HTTP-endpoint
/// protocol (firehose-reference.md §5), with failed batches (or every batch) backed up to a file or S3 destination.
///
/// The backup is the stream's `destination` (`DeliveryStreamConfiguration.destination`), as Firehose requires an
/// `S3Configuration` next to every HTTP endpoint; this value holds the endpoint itself.
public struct HTTPEndpointDestination: Hashable, Sendable {
    /// Firehose's `S3BackupMode` for HTTP endpoints.
    public enum BackupMode: String, Hashable, Sendable, CaseIterable {
        /// Only batches the endpoint did not take go to the backup, under the error output prefix
        /// (`http-endpoint-failed`). Firehose's default.
        case failedDataOnly = "FailedDataOnly"
        /// Every batch also goes to the backup, under the stream's prefix; failed ones under the error prefix too.
        case allData = "AllData"
    }

    /// `content_encoding`: how request bodies are encoded.
    public enum ContentEncoding: String, Hashable, Sendable, CaseIterable {
        /// Plain JSON (Firehose's `NONE`, the default).
        case none
        /// gzip, with `Content-Encoding: gzip` (Firehose's `GZIP`).
        case gzip
    }

    /// The allowed `buffering.size_mb` with this destination (Firehose: 1…64 MiB for HTTP endpoints).
    public static let sizeMBRange: ClosedRange<Int> = 1...64
    /// The allowed `retry_duration_s` (Firehose: 0…7200 s).
    public static let retryDurationSecondsRange: ClosedRange<Int> = 0...7200
    /// Firehose's default retry duration.
    public static let defaultRetryDurationSeconds = 300
    /// The allowed `request_timeout_s`.
    public static let requestTimeoutSecondsRange: ClosedRange<Int> = 1...180
    /// Firehose's response timeout per attempt (3 minutes).
    public static let defaultRequestTimeoutSeconds = 180
    /// The keys of an `http_endpoint` mapping.
    public static let keys = ["url", "name", "access_key_env", "common_attributes", "content_encoding", "retry_duration_s",
                              "request_timeout_s", "backup_mode", "backup"]

    /// The endpoint URL (`http://` or `https://`, ≤ 1000 characters), POSTed to verbatim.
    public let url: String
    /// The endpoint's name for logs and metrics; nil uses the stream name.
    public let name: String?
    /// The environment variable holding `X-Amz-Firehose-Access-Key`, or nil to send no key.
    public let accessKeyEnv: String?
    /// `X-Amz-Firehose-Common-Attributes`.
    public let commonAttributes: [String: String]
    /// The request body encoding.
    public let contentEncoding: ContentEncoding
    /// How long failed requests are retried, counted from the first failure, in seconds (0 = no retry).
    public let retryDurationSeconds: Int
    /// How long one attempt waits for the response, in seconds.
    public let requestTimeoutSeconds: Int
    /// Which batches go to the backup destination.
    public let backupMode: BackupMode
    /// Where `access_key_env` (or the mapping) was written, for resolution errors.
    public let location: SourceLocation
    /// The key path of the mapping, e.g. `streams[0].destination.http_endpoint`.
    public let path: String

    /// An endpoint; the reader validates every field (`clientConfiguration` repeats the checks).
    public init(url: String, name: String? = nil, accessKeyEnv: String? = nil, commonAttributes: [String: String] = [:],
                contentEncoding: ContentEncoding = .none,
                retryDurationSeconds: Int = HTTPEndpointDestination.defaultRetryDurationSeconds,
                requestTimeoutSeconds: Int = HTTPEndpointDestination.defaultRequestTimeoutSeconds,
                backupMode: BackupMode = .failedDataOnly, location: SourceLocation, path: String) {
        self.url = url
        self.name = name
        self.accessKeyEnv = accessKeyEnv
        self.commonAttributes = commonAttributes
        self.contentEncoding = contentEncoding
        self.retryDurationSeconds = retryDurationSeconds
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.backupMode = backupMode
        self.location = location
        self.path = path
    }

    /// The client configuration for stream `stream` with the resolved access key; `sourceARN` defaults to the
    /// stream's Firehose-style ARN (Vector's source requires the header).
    public func clientConfiguration(stream: DeliveryStreamConfiguration, accessKey: String?)
        throws(WebhookConfigurationError) -> HTTPEndpointConfiguration {
        try HTTPEndpointConfiguration(
            url: url, name: name ?? stream.name, accessKey: accessKey, contentEncoding: contentEncoding == .gzip ? .gzip : .none,
            commonAttributes: commonAttributes, bufferingSizeMB: stream.buffering.sizeMB,
            bufferingIntervalSeconds: stream.buffering.intervalSeconds, retryDuration: .seconds(retryDurationSeconds),
            requestTimeout: .seconds(requestTimeoutSeconds),
            sourceARN: "arn:aws:firehose:us-east-1:000000000000:deliverystream/\(stream.name)", path: path)
    }
}

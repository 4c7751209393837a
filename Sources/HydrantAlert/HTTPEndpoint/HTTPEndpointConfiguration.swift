/// Firehose's HTTP-endpoint destination (`destination: http_endpoint`): where batches of records are POSTed in
/// Firehose's request format, and how hard to try (firehose-reference.md §5.1).
///
/// Firehose accepts only https on port 443; Hydrant also accepts http and any port, so local receivers (Vector's
/// `aws_kinesis_firehose` source, tests) work.
public struct HTTPEndpointConfiguration: Hashable, Sendable, CustomStringConvertible {
    /// How the request body is encoded.
    public enum ContentEncoding: String, Hashable, Sendable {
        /// Plain JSON.
        case none = "NONE"
        /// gzip, with `Content-Encoding: gzip`.
        case gzip = "GZIP"
    }

    /// The endpoint URL, sent to verbatim (≤ 1000 characters).
    public let url: String
    /// The endpoint's name, for logs and metrics.
    public let name: String
    /// `X-Amz-Firehose-Access-Key`, verbatim (≤ 4096 bytes); nil sends no key.
    public let accessKey: String?
    /// The body encoding.
    public let contentEncoding: ContentEncoding
    /// `X-Amz-Firehose-Common-Attributes` (≤ 50, names 1…256, values 0…1024 characters).
    public let commonAttributes: [String: String]
    /// Buffering size hint in MB, 1…64.
    public let bufferingSizeMB: Int
    /// Buffering interval hint in seconds, 0…900.
    public let bufferingIntervalSeconds: Int
    /// Retry duration, 0…7200 s (Firehose's default 300 s).
    public let retryDuration: Duration
    /// The response timeout per attempt (Firehose: 3 minutes).
    public let requestTimeout: Duration
    /// `X-Amz-Firehose-Source-Arn`, when set.
    public let sourceARN: String?

    /// A validated configuration; `path` prefixes error messages.
    public init(url: String, name: String, accessKey: String? = nil, contentEncoding: ContentEncoding = .none,
                commonAttributes: [String: String] = [:], bufferingSizeMB: Int = 5, bufferingIntervalSeconds: Int = 300,
                retryDuration: Duration = .seconds(300), requestTimeout: Duration = .seconds(180),
                sourceARN: String? = nil, path: String = "http_endpoint") throws(WebhookConfigurationError) {
        try WebhookConfiguration.validate(url: url, path: path + ".url")
        guard url.count <= 1000 else {
            throw WebhookConfigurationError(path: path + ".url", reason: "must be at most 1000 characters")
        }
        guard !name.isEmpty, name.count <= 256 else {
            throw WebhookConfigurationError(path: path + ".name", reason: "must be 1…256 characters")
        }
        if let accessKey {
            guard accessKey.utf8.count <= 4096, !accessKey.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
                throw WebhookConfigurationError(
                    path: path + ".access_key", reason: "must be at most 4096 bytes without control characters")
            }
        }
        guard commonAttributes.count <= 50 else {
            throw WebhookConfigurationError(path: path + ".common_attributes", reason: "at most 50 attributes")
        }
        for (key, value) in commonAttributes {
            guard (1...256).contains(key.count), value.count <= 1024 else {
                throw WebhookConfigurationError(
                    path: path + ".common_attributes.\(key)", reason: "names must be 1…256 and values 0…1024 characters")
            }
        }
        guard (1...64).contains(bufferingSizeMB) else {
            throw WebhookConfigurationError(path: path + ".buffering.size_mb", reason: "must be 1…64, got \(bufferingSizeMB)")
        }
        guard (0...900).contains(bufferingIntervalSeconds) else {
            throw WebhookConfigurationError(
                path: path + ".buffering.interval_seconds", reason: "must be 0…900, got \(bufferingIntervalSeconds)")
        }
        guard retryDuration >= .zero, retryDuration <= .seconds(7200) else {
            throw WebhookConfigurationError(path: path + ".retry_duration_seconds", reason: "must be 0…7200")
        }
        guard requestTimeout > .zero else {
            throw WebhookConfigurationError(path: path + ".request_timeout_seconds", reason: "must be more than 0")
        }
        self.url = url
        self.name = name
        self.accessKey = accessKey
        self.contentEncoding = contentEncoding
        self.commonAttributes = commonAttributes
        self.bufferingSizeMB = bufferingSizeMB
        self.bufferingIntervalSeconds = bufferingIntervalSeconds
        self.retryDuration = retryDuration
        self.requestTimeout = requestTimeout
        self.sourceARN = sourceARN
    }

    /// The configuration without the access key.
    public var description: String { "http_endpoint \(name) → \(url)" }

    /// Firehose's retry schedule (1 s doubling, ±15 %, 2 min cap) over this endpoint's retry duration.
    public var retryPolicy: RetryPolicy { RetryPolicy(duration: retryDuration) }
}

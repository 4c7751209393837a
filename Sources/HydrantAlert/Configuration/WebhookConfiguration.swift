/// One alert receiver: where alerts go, in which format, signed with which secret, which alerts, and how hard to try.
///
/// Built either from one entry of `alerts.webhooks` in hydrant.yaml (`init(dictionary:path:environment:)`) or from
/// command-line options (the memberwise initializer); both validate, so a value of this type is always usable.
public struct WebhookConfiguration: Hashable, Sendable, CustomStringConvertible {
    /// The receiver's name: metrics dimension, outbox directory, log and dead-letter label (`[A-Za-z0-9._-]`, ≤ 64).
    public let name: String
    /// Where alerts are POSTed (http or https).
    public let url: String
    /// The request body's shape.
    public let format: WebhookFormat
    /// The HMAC key for `Hydrant-Signature`; nil sends unsigned requests (still with `Idempotency-Key`).
    public let secret: [UInt8]?
    /// Extra request headers (e.g. an `Authorization` the receiver wants), sent verbatim.
    public let headers: [String: String]
    /// Which alerts this receiver gets.
    public let filter: AlertFilter
    /// How long one attempt may take, connection to last response byte.
    public let timeout: Duration
    /// Backoff and retry duration.
    public let retry: RetryPolicy
    /// At most one notification per rule and group per window (event time); zero disables throttling.
    public let throttleWindow: Duration
    /// How many requests may be in flight to this receiver at once.
    public let maxConcurrency: Int

    /// The default attempt timeout.
    public static let defaultTimeout: Duration = .seconds(10)
    /// The default throttle window: five minutes.
    public static let defaultThrottleWindow: Duration = .seconds(300)
    /// The default number of concurrent requests per receiver.
    public static let defaultMaxConcurrency = 8
    /// Headers Hydrant sets itself, which `headers` may not override.
    public static let reservedHeaders: Set<String> = [
        "content-type", "content-length", "host", "hydrant-signature", "idempotency-key", "transfer-encoding", "connection",
    ]

    /// A validated configuration; `path` prefixes error messages (e.g. `--webhook` or `alerts.webhooks[0]`).
    public init(name: String, url: String, format: WebhookFormat = .json, secret: [UInt8]? = nil,
                headers: [String: String] = [:], filter: AlertFilter = AlertFilter(),
                timeout: Duration = Self.defaultTimeout, retry: RetryPolicy = .default,
                throttleWindow: Duration = Self.defaultThrottleWindow, maxConcurrency: Int = Self.defaultMaxConcurrency,
                path: String = "webhook") throws(WebhookConfigurationError) {
        try Self.validate(name: name, path: path + ".name")
        try Self.validate(url: url, path: path + ".url")
        for (key, value) in headers { try Self.validate(header: key, value: value, path: path + ".headers.\(key)") }
        if let secret, secret.isEmpty {
            throw WebhookConfigurationError(path: path + ".secret", reason: "the signing secret is empty")
        }
        guard timeout > .zero, timeout <= .seconds(300) else {
            throw WebhookConfigurationError(path: path + ".timeout_seconds", reason: "must be more than 0 and at most 300")
        }
        guard retry.duration <= .seconds(7200) else {
            throw WebhookConfigurationError(path: path + ".retry_duration_seconds", reason: "must be 0…7200")
        }
        guard throttleWindow >= .zero, throttleWindow <= .seconds(86_400) else {
            throw WebhookConfigurationError(path: path + ".throttle_seconds", reason: "must be 0…86400")
        }
        guard (1...64).contains(maxConcurrency) else {
            throw WebhookConfigurationError(path: path + ".max_concurrency", reason: "must be 1…64, got \(maxConcurrency)")
        }
        self.name = name
        self.url = url
        self.format = format
        self.secret = secret
        self.headers = headers
        self.filter = filter
        self.timeout = timeout
        self.retry = retry
        self.throttleWindow = throttleWindow
        self.maxConcurrency = maxConcurrency
    }

    /// The configuration without its secret.
    public var description: String {
        "webhook \(name) → \(url) (\(format.rawValue)\(secret == nil ? ", unsigned" : ", signed"))"
    }

    static func validate(name: String, path: String) throws(WebhookConfigurationError) {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F
        }
        guard !name.isEmpty, name.utf8.count <= 64, allowed, name != ".", name != ".." else {
            throw WebhookConfigurationError(
                path: path, reason: "must be 1…64 characters of A-Z a-z 0-9 . _ - (not . or ..), got \"\(name)\"")
        }
    }

    static func validate(url: String, path: String) throws(WebhookConfigurationError) {
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("http://") {
            rest = url.dropFirst(7)
        } else if lower.hasPrefix("https://") {
            rest = url.dropFirst(8)
        } else {
            throw WebhookConfigurationError(path: path, reason: "must start with http:// or https://, got \"\(url)\"")
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, url.utf8.count <= 2048,
              !url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw WebhookConfigurationError(
                path: path, reason: "must have a host, no spaces or control characters and be at most 2048 bytes")
        }
    }

    static func validate(header name: String, value: String, path: String) throws(WebhookConfigurationError) {
        let tokenSymbols = Array("!#$%&'*+-.^_`|~".utf8)
        let isToken = !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || tokenSymbols.contains(byte)
        }
        guard isToken else { throw WebhookConfigurationError(path: path, reason: "is not a valid header name") }
        guard !reservedHeaders.contains(name.lowercased()) else {
            throw WebhookConfigurationError(path: path, reason: "is set by Hydrant and cannot be configured")
        }
        guard !value.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }), value.utf8.count <= 8192 else {
            throw WebhookConfigurationError(path: path, reason: "value must have no control characters and be ≤ 8192 bytes")
        }
    }
}

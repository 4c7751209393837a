/// One HTTP/1.x request and its response (`network.http`); pipelined requests pair with responses in order.
public struct HTTPRecord: ConnectionRecord, Hashable {
    /// The dataset of HTTP records.
    public static let dataset = Dataset.networkHTTP
    /// What one HTTP record stands for.
    public static let summary = "One HTTP/1.x request and its response, on any port (detected by content)."

    /// The request time (the first byte of its head).
    public var timestamp: Timestamp
    /// The client and server.
    public var connection: Connection
    /// Request method.
    public var method: String
    /// `1.0` or `1.1`.
    public var version: String
    /// The request target as sent.
    public var target: String
    /// The Host header, lower case, without port.
    public var domain: String?
    /// The path of the target.
    public var path: String?
    /// The User-Agent header.
    public var userAgent: String?
    /// The Referer header.
    public var referrer: String?
    /// Request body bytes (Content-Length, or counted for chunked bodies up to the next request).
    public var requestBodyBytes: Int64?
    /// Response status code; nil when no response was seen.
    public var statusCode: Int64?
    /// The response's Content-Type without parameters.
    public var responseMimeType: String?
    /// Response body bytes.
    public var responseBodyBytes: Int64?
    /// Response time minus request time, when the response was seen.
    public var duration: Int64?

    /// A record of one request.
    public init(timestamp: Timestamp, connection: Connection, method: String, version: String, target: String) {
        self.timestamp = timestamp
        self.connection = connection
        self.method = method
        self.version = version
        self.target = target
    }

    /// The field table of `network.http`.
    public static let fields: [FieldDescriptor<HTTPRecord>] = commonFields + [
        .int("event.duration", "From the request to the response head, in nanoseconds.") { $0.duration },
        .string("http.version", "`1.0` or `1.1`.") { $0.version },
        .string("http.request.method", "Request method as sent (`GET`, `POST`, …).") { $0.method },
        .string("http.request.referrer", "The Referer header.") { $0.referrer },
        .int("http.request.body.bytes", "Request body size in bytes.") { $0.requestBodyBytes },
        .int("http.response.status_code", "Response status code (absent when no response was seen).") { $0.statusCode },
        .string("http.response.mime_type", "The response's Content-Type, without parameters.") { $0.responseMimeType },
        .int("http.response.body.bytes", "Response body size in bytes.") { $0.responseBodyBytes },
        .string("url.original", "The request target as sent.") { $0.target },
        .string("url.domain", "The Host header (or the absolute target's host), lower case, without port.") { $0.domain },
        .string("url.path", "The path of the request target.") { $0.path },
        .string("user_agent.original", "The User-Agent header.") { $0.userAgent },
    ]
}

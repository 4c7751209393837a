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
        .init("event.duration", .int, "From the request to the response head, in nanoseconds.") { $0.duration.map(FieldValue.int) },
        .init("http.version", .string, "`1.0` or `1.1`.") { .string($0.version) },
        .init("http.request.method", .string, "Request method as sent (`GET`, `POST`, …).") { .string($0.method) },
        .init("http.request.referrer", .string, "The Referer header.") { $0.referrer.map(FieldValue.string) },
        .init("http.request.body.bytes", .int, "Request body size in bytes.") { $0.requestBodyBytes.map(FieldValue.int) },
        .init("http.response.status_code", .int, "Response status code (absent when no response was seen).") {
            $0.statusCode.map(FieldValue.int)
        },
        .init("http.response.mime_type", .string, "The response's Content-Type, without parameters.") {
            $0.responseMimeType.map(FieldValue.string)
        },
        .init("http.response.body.bytes", .int, "Response body size in bytes.") { $0.responseBodyBytes.map(FieldValue.int) },
        .init("url.original", .string, "The request target as sent.") { .string($0.target) },
        .init("url.domain", .string, "The Host header (or the absolute target's host), lower case, without port.") {
            $0.domain.map(FieldValue.string)
        },
        .init("url.path", .string, "The path of the request target.") { $0.path.map(FieldValue.string) },
        .init("user_agent.original", .string, "The User-Agent header.") { $0.userAgent.map(FieldValue.string) },
    ]
}

import HydrantRecords

/// One Firehose HTTP-endpoint delivery request (firehose-reference.md §5.2): headers and body for a batch.
///
///     POST <url>
///     Content-Type: application/json
///     X-Amz-Firehose-Protocol-Version: 1.0
///     X-Amz-Firehose-Request-Id: <id>
///     X-Amz-Firehose-Access-Key: <key>
///     {"requestId":"<id>","timestamp":<ms>,"records":[{"data":"<base64>"},…]}
///
/// The request id stays the same across retries of a batch, so receivers can drop duplicates.
public struct HTTPEndpointRequest: Sendable {
    /// Why a batch cannot be sent as one request.
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// Zero or more than 10,000 records.
        case recordCount(Int)
        /// A record larger than 1,024,000 bytes.
        case recordTooLarge(index: Int, bytes: Int)
        /// The body would exceed 64 MiB before compression.
        case bodyTooLarge(bytes: Int)

        /// A one-line explanation.
        public var description: String {
            switch self {
            case .recordCount(let count): "a request holds 1…10000 records, got \(count)"
            case .recordTooLarge(let index, let bytes): "record \(index) is \(bytes) bytes, more than 1024000"
            case .bodyTooLarge(let bytes): "the request body would be \(bytes) bytes, more than 64 MiB"
            }
        }
    }

    /// The most records per request.
    public static let maximumRecords = 10_000
    /// The largest record.
    public static let maximumRecordBytes = 1_024_000
    /// The largest body before compression.
    public static let maximumBodyBytes = 64 << 20

    /// The request id, in the header and the body.
    public let requestID: String
    /// Headers to send, in order.
    public let headers: [(name: String, value: String)]
    /// The body as sent (compressed when the configuration asks for gzip).
    public let body: [UInt8]

    /// The request for `records` with `requestID` at `timestamp` (ms since the epoch). With gzip encoding,
    /// `gzip` compresses the body (the integrator passes the archive's gzip compressor).
    public init(configuration: HTTPEndpointConfiguration, records: [[UInt8]], requestID: String, timestamp: Int64,
                gzip: (([UInt8]) throws -> [UInt8])? = nil) throws {
        guard (1...Self.maximumRecords).contains(records.count) else { throw Failure.recordCount(records.count) }
        var size = 64 + requestID.utf8.count
        for (index, record) in records.enumerated() {
            guard record.count <= Self.maximumRecordBytes else {
                throw Failure.recordTooLarge(index: index, bytes: record.count)
            }
            size += Base64.encodedCount(decodedCount: record.count) + 12
        }
        guard size <= Self.maximumBodyBytes else { throw Failure.bodyTooLarge(bytes: size) }
        var json: [UInt8] = []
        json.reserveCapacity(size)
        json.append(contentsOf: #"{"requestId":"#.utf8)
        appendJSONString(requestID, to: &json)
        json.append(contentsOf: #","timestamp":"#.utf8)
        json.append(contentsOf: String(timestamp).utf8)
        json.append(contentsOf: #","records":["#.utf8)
        for (index, record) in records.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(contentsOf: #"{"data":""#.utf8)
            record.withUnsafeBufferPointer { Base64.encode($0, into: &json) }
            json.append(contentsOf: #""}"#.utf8)
        }
        json.append(contentsOf: "]}".utf8)

        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("X-Amz-Firehose-Protocol-Version", "1.0"),
            ("X-Amz-Firehose-Request-Id", requestID),
            ("User-Agent", "Amazon Kinesis Data Firehose Agent/1.0 (Hydrant)"),
        ]
        if let arn = configuration.sourceARN { headers.append(("X-Amz-Firehose-Source-Arn", arn)) }
        if let key = configuration.accessKey { headers.append(("X-Amz-Firehose-Access-Key", key)) }
        if !configuration.commonAttributes.isEmpty {
            var attributes: [UInt8] = Array(#"{"commonAttributes":{"#.utf8)
            for (index, (key, value)) in configuration.commonAttributes.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { attributes.append(UInt8(ascii: ",")) }
                appendJSONString(key, to: &attributes)
                attributes.append(UInt8(ascii: ":"))
                appendJSONString(value, to: &attributes)
            }
            attributes.append(contentsOf: "}}".utf8)
            headers.append(("X-Amz-Firehose-Common-Attributes", String(decoding: attributes, as: UTF8.self)))
        }
        if configuration.contentEncoding == .gzip, let gzip {
            headers.append(("Content-Encoding", "gzip"))
            body = try gzip(json)
        } else {
            body = json
        }
        self.requestID = requestID
        self.headers = headers
    }
}

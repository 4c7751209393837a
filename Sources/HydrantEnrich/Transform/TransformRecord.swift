/// One record sent to an external transform (Firehose's Lambda data-transformation contract, carried over HTTP).
public struct TransformRecord: Hashable, Sendable {
    /// An opaque id, unique within the invocation; the response must return each exactly once.
    public var recordId: String
    /// When the stream accepted the record, in epoch milliseconds.
    public var approximateArrivalTimestamp: Int64
    /// The record's bytes (sent base64-encoded).
    public var data: [UInt8]

    /// A record to send.
    public init(recordId: String, approximateArrivalTimestamp: Int64, data: [UInt8]) {
        self.recordId = recordId
        self.approximateArrivalTimestamp = approximateArrivalTimestamp
        self.data = data
    }
}

/// What the transform said about one record.
public enum TransformOutcome: Hashable, Sendable {
    /// Deliver `data` (already base64-decoded) instead of the original; `partitionKeys` feed
    /// `!{partitionKeyFromLambda:key}`.
    case ok(data: [UInt8], partitionKeys: [String: String])
    /// Do not deliver the record; counts as success.
    case dropped
    /// The transform failed the record: it goes to the `processing-failed` error output with its original data.
    case processingFailed
}

/// A response that cannot be applied: the whole invocation counts as failed (retried, then every record goes to the
/// `processing-failed` error output with this code), as Firehose treats a Lambda response it cannot use.
public struct TransformResponseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Firehose's error code: `Lambda.JsonProcessingException`, `Lambda.MissingRecordId` or
    /// `Lambda.DuplicatedRecordId`.
    public let code: String
    /// What was wrong.
    public let message: String

    /// An error with `code` and `message`.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The response is not valid JSON or does not follow the status model.
    public static let jsonProcessing = "Lambda.JsonProcessingException"
    /// A record sent was not returned.
    public static let missingRecordId = "Lambda.MissingRecordId"
    /// A record was returned twice.
    public static let duplicatedRecordId = "Lambda.DuplicatedRecordId"

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}

import HydrantStream

/// An error answered as Firehose's JSON 1.1 error: HTTP `status`, body `{"__type": type, "message": message}` and
/// the `x-amzn-ErrorType` header.
public struct FirehoseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error shape name, e.g. `ResourceNotFoundException`.
    public let type: String
    /// The sentence for the client.
    public let message: String
    /// The HTTP status code.
    public let status: Int

    /// An error of shape `type` with `message`, answered with `status`.
    public init(type: String, message: String, status: Int = 400) {
        self.type = type
        self.message = message
        self.status = status
    }

    /// `type: message`.
    public var description: String { "\(type): \(message)" }

    /// The body is not JSON, a member has the wrong type, or a blob is not base64 (AWS's `SerializationException`).
    public static func serialization(_ error: JSONSyntaxError) -> FirehoseError {
        FirehoseError(type: "SerializationException", message: error.description)
    }

    /// Model constraints violated (AWS's `ValidationException`, "N validation error(s) detected: …").
    public static func validation(_ violations: [String], total: Int? = nil) -> FirehoseError {
        let count = total ?? violations.count
        let noun = count == 1 ? "validation error" : "validation errors"
        return FirehoseError(type: "ValidationException",
                             message: "\(count) \(noun) detected: " + violations.joined(separator: "; "))
    }

    /// A parameter has an unacceptable value.
    public static func invalidArgument(_ message: String) -> FirehoseError {
        FirehoseError(type: "InvalidArgumentException", message: message)
    }

    /// No stream of that name.
    public static func streamNotFound(_ name: String) -> FirehoseError {
        FirehoseError(type: "ResourceNotFoundException", message: IngestError.streamNotFound(name).description)
    }

    /// Back off and retry: HTTP 503 so that the SDKs' standard retry applies (it retries 5xx).
    public static func serviceUnavailable(_ message: String = "Slow down.") -> FirehoseError {
        FirehoseError(type: "ServiceUnavailableException", message: message, status: 503)
    }

    /// An unexpected server-side failure (HTTP 500, retried by the SDKs).
    public static func internalFailure(_ message: String) -> FirehoseError {
        FirehoseError(type: "InternalFailure", message: message, status: 500)
    }

    /// The body exceeds what any valid request can be (HTTP 413, not retried).
    public static func bodyTooLarge(_ length: Int?, limit: Int) -> FirehoseError {
        let size = length.map { "of \($0) bytes " } ?? ""
        return FirehoseError(type: "SerializationException",
                             message: "The request body \(size)exceeds \(limit) bytes, more than a PutRecordBatch "
                                 + "of 500 records and 4 MiB can take; split the batch.",
                             status: 413)
    }
}

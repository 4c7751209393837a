/// Why a request body is not the JSON document an operation expects: malformed JSON, a value of the wrong type or
/// an invalid base64 blob. The API answers it as Firehose's `SerializationException`.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, for the client.
    public let message: String
    /// The byte offset in the body where it was found.
    public let offset: Int

    /// An error at `offset`.
    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// The message with its offset.
    public var description: String { "\(message) (at byte \(offset))" }
}

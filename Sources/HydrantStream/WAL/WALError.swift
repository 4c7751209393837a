/// Why the write-ahead log could not be opened or written.
public struct WALError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What failed, with the file and the system's words.
    public let message: String

    /// An error.
    public init(_ message: String) {
        self.message = message
    }

    /// A sentence for logs.
    public var description: String { message }
}

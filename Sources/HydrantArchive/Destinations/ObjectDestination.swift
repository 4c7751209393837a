/// Where a delivery stream puts its objects: a directory or an S3-compatible bucket.
///
/// An object is stored whole or not at all, so a reader never sees half of one; `put` returns only after the
/// destination confirmed it, which is what lets the write-ahead log drop the records it holds.
public protocol ObjectDestination: Sendable {
    /// A short name for logs and metrics: `file:/srv/lake`, `s3://lake (http://127.0.0.1:8333)`.
    var description: String { get }

    /// Stores `body` under `key`, replacing any object of that name.
    func put(key: ObjectKey, body: [UInt8]) async throws(DestinationError)
}

/// Why a put failed.
public struct DestinationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The broad cause, which decides whether retrying can help.
    public enum Kind: String, Hashable, Sendable {
        /// The key is unusable on this destination; retrying cannot help.
        case invalidKey
        /// A local file operation failed (disk full, permissions).
        case io
        /// The service could not be reached or the connection broke.
        case network
        /// The service answered with an error status.
        case service
        /// The destination was refused our credentials.
        case authentication
    }

    /// The broad cause.
    public let kind: Kind
    /// What happened, with the object key and the destination's own words.
    public let message: String

    /// An error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A sentence for logs.
    public var description: String { message }
}

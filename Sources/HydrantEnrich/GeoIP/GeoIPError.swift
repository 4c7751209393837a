/// A MaxMind database could not be opened.
public struct GeoIPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The database file.
    public let path: String
    /// libmaxminddb's reason (`MMDB_strerror`), or the system's for a file that cannot be opened.
    public let reason: String

    /// An error opening `path` because of `reason`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `GeoIP database <path>: <reason>`.
    public var description: String { "GeoIP database \(path): \(reason)" }
}

/// A configuration or data file of the enrich stage could not be used, with where and why, e.g.
/// `assets.csv:14: "10.0.0.0/33" is not an address or CIDR`.
public struct EnrichError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file at fault, or nil when the problem is not in a file (a configured value).
    public let path: String?
    /// The 1-based line within `path`, when known.
    public let line: Int?
    /// What is wrong and, where it helps, what to do about it.
    public let message: String

    /// An error in `path` (at `line`, when known) saying `message`.
    public init(path: String?, line: Int? = nil, _ message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    /// `path:line: message`, leaving out what is unknown.
    public var description: String {
        switch (path, line) {
        case (let path?, let line?): return "\(path):\(line): \(message)"
        case (let path?, nil): return "\(path): \(message)"
        default: return message
        }
    }
}

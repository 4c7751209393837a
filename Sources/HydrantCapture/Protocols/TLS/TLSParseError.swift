/// Why TLS handshake bytes could not be read.
public enum TLSParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A length points past the end of what holds it.
    case truncated(String)
    /// The bytes are not the message expected.
    case unexpected(String)

    /// A sentence for counters and logs.
    public var description: String {
        switch self {
        case .truncated(let what): return "truncated \(what)"
        case .unexpected(let what): return what
        }
    }
}

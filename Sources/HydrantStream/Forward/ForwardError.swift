/// Why records could not be forwarded to a remote stream.
public enum ForwardError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server refused the records for a reason retrying cannot fix (unknown stream, bad credentials).
    case rejected(String)
    /// The local spool could not be written or read.
    case spool(String)

    /// A sentence for logs.
    public var description: String {
        switch self {
        case .rejected(let reason): return "the stream refused the records: \(reason)"
        case .spool(let reason): return reason
        }
    }
}

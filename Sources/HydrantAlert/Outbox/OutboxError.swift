/// Why the outbox refused an operation.
public enum OutboxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A system call failed (`operation` on `path`, `errno` text).
    case io(operation: String, path: String, reason: String)
    /// Another process holds the outbox (its lock file is taken).
    case locked(path: String)
    /// Accepting more would exceed the outbox's bounds.
    case full(pendingEntries: Int, pendingBytes: Int)
    /// One alert is larger than an outbox entry may be.
    case entryTooLarge(alertID: String, bytes: Int)
    /// The outbox was closed.
    case closed

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .io(let operation, let path, let reason): "outbox \(operation) \(path): \(reason)"
        case .locked(let path): "outbox \(path) is in use by another process"
        case .full(let entries, let bytes): "outbox is full (\(entries) alerts, \(bytes) bytes pending)"
        case .entryTooLarge(let id, let bytes): "alert \(id) is \(bytes) bytes, more than an outbox entry may hold"
        case .closed: "outbox is closed"
        }
    }
}

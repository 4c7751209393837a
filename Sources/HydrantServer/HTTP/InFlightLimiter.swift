import Foundation

/// Bounds the request bodies the server holds at once, by count and by bytes. A request takes a reservation
/// before its body is read and returns it when its response is ready; a request that does not fit is refused at once
/// (503), so memory stays bounded whatever the load.
public final class InFlightLimiter: @unchecked Sendable {
    /// The most requests at once.
    public let maximumRequests: Int
    /// The most body bytes at once.
    public let maximumBytes: Int
    private let lock = NSLock()
    private var requests = 0
    private var bytes = 0

    /// A limiter admitting `maximumRequests` requests and `maximumBytes` body bytes at once.
    public init(maximumRequests: Int, maximumBytes: Int) {
        self.maximumRequests = maximumRequests
        self.maximumBytes = maximumBytes
    }

    /// Reserves room for a body of `bytes`; false when the server is full.
    public func reserve(_ bytes: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard requests < maximumRequests, self.bytes + bytes <= maximumBytes else { return false }
        requests += 1
        self.bytes += bytes
        return true
    }

    /// Returns a reservation of `bytes`.
    public func release(_ bytes: Int) {
        lock.lock()
        requests -= 1
        self.bytes -= bytes
        lock.unlock()
    }

    /// The requests and body bytes held now.
    public var current: (requests: Int, bytes: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (requests, bytes)
    }
}

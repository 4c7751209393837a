import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dead-letter sink that appends one JSON line per failure (`AlertDeliveryFailure.jsonLine()`) to a file and
/// fsyncs it before returning.
public final class DeadLetterFile: DeadLetterSink {
    /// The file written.
    public let path: String
    private let descriptor: Mutex<Int32>

    /// Opens `path` for appending, creating it if needed.
    public init(path: String) throws(OutboxError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "open", path: path, reason: String(cString: strerror(errno))) }
        self.path = path
        descriptor = Mutex(fd)
    }

    deinit { descriptor.withLock { if $0 >= 0 { _ = close($0) } } }

    /// Appends and fsyncs `failures`.
    public func write(_ failures: [AlertDeliveryFailure]) async throws {
        guard !failures.isEmpty else { return }
        var bytes: [UInt8] = []
        for failure in failures {
            bytes.append(contentsOf: failure.jsonLine())
            bytes.append(0x0A)
        }
        let path = self.path
        try descriptor.withLock { fd throws(OutboxError) in
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    throw OutboxError.io(operation: "write", path: path, reason: String(cString: strerror(errno)))
                }
                offset += written
            }
            guard fsync(fd) == 0 else {
                throw OutboxError.io(operation: "fsync", path: path, reason: String(cString: strerror(errno)))
            }
        }
    }
}

/// The C library's `write`, reachable from inside `DeadLetterFile` (whose own `write(_:)` shadows it).
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes alert JSON lines to a file or standard output, flushed after every batch so that a reader (or a pipe)
/// sees each alert as soon as it is raised.
final class AlertFileWriter {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// The path written, `<stdout>` for standard output.
    let path: String

    /// Opens `path` (truncating it), or standard output for nil.
    init(path: String?) throws {
        if let path {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
            descriptor = fd
            ownsDescriptor = true
            self.path = path
        } else {
            descriptor = STDOUT_FILENO
            ownsDescriptor = false
            self.path = "<stdout>"
        }
    }

    deinit { if ownsDescriptor { _ = close(descriptor) } }

    /// Writes `bytes` in full.
    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress.map { $0 + offset }, $0.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
            offset += written
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a `ParquetFileWriter` puts its bytes, strictly sequentially.
public protocol ParquetSink: AnyObject {
    /// Appends `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError)
    /// Finishes the output (flush, close); called once by `ParquetFileWriter.close()`.
    func finish() throws(ParquetError)
}

/// Collects the file in memory, for uploading as one object.
public final class ParquetMemorySink: ParquetSink {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty sink; `reservingCapacity` avoids regrowth when the output size is roughly known.
    public init(reservingCapacity: Int = 0) { bytes.reserveCapacity(reservingCapacity) }

    /// Appends `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) { self.bytes.append(contentsOf: bytes) }

    /// Nothing to finish in memory.
    public func finish() throws(ParquetError) {}

    /// Hands over the bytes and leaves the sink empty.
    public func takeBytes() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }
}

/// Writes to a file descriptor, retrying short writes and interrupted calls.
public final class ParquetFileSink: ParquetSink {
    private var descriptor: Int32
    private let ownsDescriptor: Bool
    private let label: String

    /// Creates (or truncates) the file at `path` with mode 0644; the sink closes it on `finish()`.
    public init(path: String) throws(ParquetError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("cannot create \(path)", errno: errno) }
        descriptor = fd
        ownsDescriptor = true
        label = path
    }

    /// Writes to an open descriptor; it is closed on `finish()` only if `closeOnFinish`.
    public init(fileDescriptor: Int32, closeOnFinish: Bool = false) {
        descriptor = fileDescriptor
        ownsDescriptor = closeOnFinish
        label = "descriptor \(fileDescriptor)"
    }

    deinit {
        if ownsDescriptor && descriptor >= 0 { close(descriptor) }
    }

    /// Appends `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        guard descriptor >= 0 else { throw .closed }
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = Glibc_write(descriptor, pointer, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw .io("write to \(label) failed", errno: errno)
            }
            remaining -= written
            pointer += written
        }
    }

    /// Closes the descriptor when the sink owns it.
    public func finish() throws(ParquetError) {
        guard ownsDescriptor, descriptor >= 0 else { return }
        let fd = descriptor
        descriptor = -1
        if close(fd) != 0 { throw .io("close of \(label) failed", errno: errno) }
    }
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

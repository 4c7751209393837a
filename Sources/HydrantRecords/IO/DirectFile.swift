#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if os(Linux)
/// `O_DIRECT`, which Swift's Glibc module does not export (glibc defines it only under `_GNU_SOURCE`); its value
/// differs between architectures.
#if arch(arm64) || arch(arm)
private let openDirectFlag: Int32 = 0o200000
#else
private let openDirectFlag: Int32 = 0o40000
#endif
#endif

/// A file opened for writing past the page cache (`O_DIRECT`) where its file system allows, and for ordinary
/// buffered writing where it does not.
///
/// Durable writers (the write-ahead log, archived objects) write each byte once and sync it at once, so the page
/// cache only costs them: the kernel copies every byte into it, then writes it back on the same two cores the
/// pipeline needs. Direct writes go from the caller's memory to the device. They need the memory, the offset and
/// the length aligned to `AlignedBuffer.alignment`; while `isDirect` is true, callers pad their writes to it.
public struct DirectFile {
    /// The descriptor; the caller closes it.
    public let descriptor: Int32
    /// Whether writes bypass the page cache (and so must be aligned).
    public private(set) var isDirect: Bool

    /// How a write ended.
    public enum WriteResult: Equatable {
        /// Every byte was written.
        case written
        /// The file system refused a direct write; the file is now buffered, and the caller writes again (with no
        /// alignment needed).
        case directRefused
        /// The write failed with this `errno` text.
        case failed(String)
    }

    /// Opens `path` with `flags` (`O_WRONLY`, `O_CREAT`, … ; `O_DIRECT` is added when `direct`, and dropped when
    /// the file system refuses it); nil with the `errno` text when the file cannot be opened at all.
    public static func open(_ path: String, flags: Int32, mode: mode_t = 0o644, direct: Bool = true)
        -> Result<DirectFile, DirectFileError> {
        #if os(Linux)
        if direct {
            let descriptor = Glibc.open(path, flags | openDirectFlag, mode)
            if descriptor >= 0 { return .success(DirectFile(descriptor: descriptor, isDirect: true)) }
            guard errno == EINVAL || errno == EOPNOTSUPP else { return .failure(DirectFileError(text: errorText())) }
        }
        let descriptor = Glibc.open(path, flags, mode)
        #else
        let descriptor = Darwin.open(path, flags, mode)
        #endif
        guard descriptor >= 0 else { return .failure(DirectFileError(text: errorText())) }
        return .success(DirectFile(descriptor: descriptor, isDirect: false))
    }

    /// Writes `count` bytes from `bytes` at `offset`. While direct, all three must be aligned.
    public mutating func write(_ bytes: UnsafeRawPointer, count: Int, at offset: Int) -> WriteResult {
        var done = 0
        while done < count {
            let written = pwrite(descriptor, bytes + done, count - done, off_t(offset + done))
            if written < 0 {
                if errno == EINTR { continue }
                if (errno == EINVAL || errno == EOPNOTSUPP) && isDirect {
                    // Some file systems open with O_DIRECT and refuse the writes; go on buffered.
                    stopDirect()
                    return .directRefused
                }
                return .failed(Self.errorText())
            }
            done += written
            if isDirect && done < count && done % AlignedBuffer.alignment != 0 {
                // A short direct write that ends off a block boundary cannot be continued directly.
                stopDirect()
            }
        }
        return .written
    }

    private mutating func stopDirect() {
        #if os(Linux)
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~openDirectFlag) }
        #endif
        isDirect = false
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

/// Why a file could not be opened for writing.
public struct DirectFileError: Error, CustomStringConvertible {
    /// The system's text for the error.
    public let text: String
    /// The text.
    public var description: String { text }
}

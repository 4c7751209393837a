import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Objects as files under a root directory. Each file is written under a hidden temporary name in its final
/// directory, fsynced (a megabyte at a time, so that a large object never queues all its bytes ahead of the
/// write-ahead log's next sync), renamed into place and its directory fsynced, so a reader sees whole objects only
/// and a confirmed object survives a crash.
public struct FileObjectDestination: ObjectDestination {
    /// The root directory, absolute.
    public let root: String

    /// A destination under `root` (made absolute against the working directory; created on first put).
    public init(root: String) {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.root = URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    /// `file:<root>`.
    public var description: String { "file:\(root)" }

    /// Writes the object on NIO's blocking-I/O pool, keeping the caller's executor free.
    public func put(key: ObjectKey, body: [UInt8]) async throws(DestinationError) {
        let root = self.root
        do {
            try await NIOThreadPool.singleton.runIfActive {
                try Self.write(body, to: key, under: root)
            }
        } catch let error as DestinationError {
            throw error
        } catch {
            throw DestinationError(.io, "\(key): \(error)")
        }
    }

    /// Bytes written between syncs of a large object.
    public static let syncSlice = 1 << 20

    /// The whole write, synchronously.
    static func write(_ body: [UInt8], to key: ObjectKey, under root: String) throws(DestinationError) {
        var directory = ""
        // The root and its parents are made on first use too, so a fresh archive needs no set-up.
        for component in root.split(separator: "/") {
            directory += "/" + component
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw DestinationError(.io, "cannot create directory \(directory): \(String(cString: strerror(errno)))")
            }
        }
        if directory.isEmpty { directory = "/" }
        let components = key.components
        for component in components.dropLast() {
            directory += "/" + component
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw DestinationError(.io, "cannot create directory \(directory): \(String(cString: strerror(errno)))")
            }
        }
        let final = directory + "/" + (components.last.map(String.init) ?? "")
        let temporary = directory + "/." + (components.last.map(String.init) ?? "") + ".tmp-\(getpid())-\(UInt32.random(in: .min ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw DestinationError(.io, "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var failure: String?
        body.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            var synced = 0
            while offset < raw.count {
                let written = Glibc.write(fd, base + offset, min(raw.count - offset, Self.syncSlice))
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write \(temporary): \(String(cString: strerror(errno)))"
                    return
                }
                offset += written
                // Synced a slice at a time: one fsync of a whole large object queues all of it on the device at
                // once, and the write-ahead log's next sync (an acknowledgement waiting) would wait behind it.
                if offset - synced >= Self.syncSlice && offset < raw.count {
                    if fdatasync(fd) != 0 {
                        failure = "cannot fsync \(temporary): \(String(cString: strerror(errno)))"
                        return
                    }
                    synced = offset
                }
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = "cannot fsync \(temporary): \(String(cString: strerror(errno)))" }
        close(fd)
        if failure == nil && rename(temporary, final) != 0 {
            failure = "cannot rename \(temporary) to \(final): \(String(cString: strerror(errno)))"
        }
        if let failure {
            unlink(temporary)
            throw DestinationError(.io, failure)
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }
}

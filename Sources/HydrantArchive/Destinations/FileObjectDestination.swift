import Foundation
import HydrantRecords
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Objects as files under a root directory. Each file is written under a hidden temporary name in its final
/// directory, fsynced, renamed into place and its directory fsynced, so a reader sees whole objects only and a
/// confirmed object survives a crash.
///
/// Objects are written past the page cache (`DirectFile`) a megabyte at a time where the file system allows, so
/// the kernel neither copies them into its cache nor writes them back later on the pipeline's cores. Elsewhere
/// they are written through the cache and synced a megabyte at a time, so that a large object never queues all its
/// bytes ahead of the write-ahead log's next sync.
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

    /// Bytes written at a time, and between syncs of a large object when writes go through the page cache.
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
        var file: DirectFile
        switch DirectFile.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC) {
        case .success(let opened): file = opened
        case .failure(let error): throw DestinationError(.io, "cannot create \(temporary): \(error)")
        }
        let fd = file.descriptor
        var failure: String?
        body.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            if file.isDirect {
                offset = writeDirect(raw, to: &file, path: temporary, failure: &failure)
                if failure != nil { return }
            }
            // Buffered (the file system refused direct writes): synced a slice at a time, because one fsync of a
            // whole large object queues all of it on the device at once, and the write-ahead log's next sync (an
            // acknowledgement waiting) would wait behind it.
            var synced = offset
            while offset < raw.count {
                let count = min(raw.count - offset, Self.syncSlice)
                if case .failed(let error) = file.write(base + offset, count: count, at: offset) {
                    failure = "cannot write \(temporary): \(error)"
                    return
                }
                offset += count
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

    /// Writes `raw` past the page cache, a slice at a time through aligned memory, the last block padded and the
    /// padding cut off again. Returns how far it got: all of `raw`, or less when the file system refused direct
    /// writes (the file is then buffered and the caller writes the rest).
    private static func writeDirect(_ raw: UnsafeRawBufferPointer, to file: inout DirectFile, path: String,
                                    failure: inout String?) -> Int {
        guard let base = raw.baseAddress else { return 0 }
        // A small object needs no more than its own blocks.
        let staging = AlignedBuffer(capacity: min(syncSlice, raw.count))
        var offset = 0
        while offset < raw.count {
            let count = min(raw.count - offset, syncSlice)
            staging.base.copyMemory(from: base + offset, byteCount: count)
            let padded = AlignedBuffer.roundUp(count)
            (staging.base + count).initializeMemory(as: UInt8.self, repeating: 0, count: padded - count)
            switch file.write(staging.base, count: padded, at: offset) {
            case .written:
                offset += count
            case .directRefused:
                return offset
            case .failed(let error):
                failure = "cannot write \(path): \(error)"
                return offset
            }
        }
        if raw.count % AlignedBuffer.alignment != 0 && ftruncate(file.descriptor, off_t(raw.count)) != 0 {
            failure = "cannot cut the padding off \(path): \(String(cString: strerror(errno)))"
        }
        return offset
    }
}

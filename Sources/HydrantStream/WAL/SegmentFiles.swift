import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file operations of the log, as thin wrappers over POSIX calls that report failures as `WALError`.
enum SegmentFiles {
    /// The file name of segment `id`: zero-padded so that names sort in log order.
    static func name(of id: UInt64) -> String {
        let digits = String(id)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".wal"
    }

    /// The segment id a file name stands for, or nil for other files.
    static func id(fromName name: String) -> UInt64? {
        guard name.hasSuffix(".wal"), name.utf8.count == 24 else { return nil }
        return UInt64(name.dropLast(4))
    }

    static func errorText() -> String { String(cString: strerror(errno)) }

    /// Creates `path` and its parents.
    static func makeDirectories(_ path: String) throws(WALError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw WALError("cannot create directory \(current): \(errorText())")
            }
        }
    }

    /// The segment ids present in `directory`, ascending.
    static func list(_ directory: String) throws(WALError) -> [UInt64] {
        guard let handle = opendir(directory) else { throw WALError("cannot list \(directory): \(errorText())") }
        defer { closedir(handle) }
        var ids: [UInt64] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if let id = id(fromName: name) { ids.append(id) }
        }
        return ids.sorted()
    }

    /// The whole content of `path`.
    static func read(_ path: String) throws(WALError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WALError("cannot open \(path): \(errorText())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw WALError("cannot stat \(path): \(errorText())") }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        var failure: String?
        bytes.withUnsafeMutableBytes { raw in
            while offset < raw.count {
                guard let base = raw.baseAddress else { return }
                let got = systemRead(fd, base + offset, raw.count - offset)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errorText()
                    return
                }
                if got == 0 { break }
                offset += got
            }
        }
        if let failure { throw WALError("cannot read \(path): \(failure)") }
        if offset < bytes.count { bytes.removeSubrange(offset...) }
        return bytes
    }

    /// Creates the segment file `path` for writing at explicit offsets, past the page cache where the file system
    /// allows (`direct`).
    static func create(_ path: String, direct: Bool) throws(WALError) -> DirectFile {
        switch DirectFile.open(path, flags: O_WRONLY | O_CREAT | O_CLOEXEC, direct: direct) {
        case .success(let file): return file
        case .failure(let error): throw WALError("cannot open \(path): \(error)")
        }
    }

    /// Whether `bytes` from `offset` are the zeros a direct write pads a segment's last block with: fewer than a
    /// block, up to a block boundary.
    static func isPadding(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> Bool {
        guard bytes.count % AlignedBuffer.alignment == 0, bytes.count - offset < AlignedBuffer.alignment else {
            return false
        }
        for index in offset..<bytes.count where bytes[index] != 0 { return false }
        return true
    }

    /// Flushes `fd`'s data (and the metadata needed to read it back) to stable storage.
    static func syncData(_ fd: Int32) -> String? {
        #if os(Linux)
        let result = fdatasync(fd)
        #else
        let result = fsync(fd)
        #endif
        return result == 0 ? nil : errorText()
    }

    /// Makes a directory's entries (new or removed files) durable.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Closes a descriptor.
    static func closeFile(_ fd: Int32) {
        close(fd)
    }

    /// Cuts `path` to `length` bytes and syncs it.
    static func truncate(_ path: String, to length: Int) throws(WALError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WALError("cannot open \(path): \(errorText())") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(length)) == 0 else { throw WALError("cannot truncate \(path): \(errorText())") }
        _ = syncData(fd)
    }
}

/// `read(2)`, named apart from `SegmentFiles.read`.
@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

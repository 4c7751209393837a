import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A webhook's durable queue of alerts, one append-only log file in its own directory.
///
/// An alert is appended and fsynced before anything tries to send it; when it is delivered or dead-lettered a
/// `done` entry is appended (written but not fsynced: a lost `done` after a power failure means one duplicate,
/// which the idempotency key lets receivers drop). Opening the outbox replays the log, so a restart resends
/// exactly the alerts still pending; a torn or corrupt tail (a crash mid-write, each entry has a CRC-32) is cut off.
/// The log is rewritten with only pending entries once it is large and mostly finished. An exclusive `flock` keeps
/// a second process out. Not thread-safe: one owner (the webhook's channel actor) uses it.
public final class AlertOutbox {
    /// The outbox directory.
    public let directory: String
    /// The bounds.
    public let limits: OutboxLimits
    /// Entries recovered from the log when the outbox was opened, in enqueue order.
    public private(set) var recovered: [OutboxEntry]
    /// Bytes cut off the end of the log when it was opened (a torn or corrupt tail); 0 normally.
    public let discardedBytes: Int

    private var descriptor: Int32
    private var fileSize: Int
    private var nextSequence: UInt64
    /// Pending entries' frame sizes, by sequence.
    private var pending: [UInt64: Int]
    private var pendingBytes: Int

    private var logPath: String { directory + "/outbox.log" }
    private var compactionPath: String { directory + "/outbox.log.compacting" }

    /// Opens (creating if needed) the outbox in `directory` and replays its log.
    public init(directory: String, limits: OutboxLimits = OutboxLimits()) throws(OutboxError) {
        self.directory = directory
        self.limits = limits
        try Self.makeDirectory(directory)
        unlink(directory + "/outbox.log.compacting")
        let path = directory + "/outbox.log"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.failure("open", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            systemClose(fd)
            throw .locked(path: path)
        }
        let contents: [UInt8]
        do { contents = try Self.readAll(fd, path: path) } catch {
            systemClose(fd)
            throw error
        }
        var entries: [UInt64: OutboxEntry] = [:]
        var sizes: [UInt64: Int] = [:]
        var offset = 0
        var highest: UInt64?
        contents.withUnsafeBytes { bytes in
            while let (frame, size) = OutboxFrame.decode(bytes, at: offset) {
                switch frame {
                case .append(let entry):
                    entries[entry.sequence] = entry
                    sizes[entry.sequence] = size
                    highest = max(highest ?? entry.sequence, entry.sequence)
                case .done(let sequence, _):
                    entries[sequence] = nil
                    sizes[sequence] = nil
                }
                offset += size
            }
        }
        if offset < contents.count {
            guard ftruncate(fd, off_t(offset)) == 0, fsync(fd) == 0 else {
                systemClose(fd)
                throw Self.failure("truncate torn tail of", path)
            }
        }
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
            systemClose(fd)
            throw Self.failure("seek", path)
        }
        descriptor = fd
        fileSize = offset
        discardedBytes = contents.count - offset
        recovered = entries.values.sorted { $0.sequence < $1.sequence }
        pending = sizes
        pendingBytes = sizes.values.reduce(0, +)
        nextSequence = highest.map { $0 &+ 1 } ?? 0
    }

    deinit { if descriptor >= 0 { systemClose(descriptor) } }

    /// How many alerts are pending.
    public var pendingCount: Int { pending.count }

    /// Appends `alerts` and fsyncs the log before returning their entries; all or none are accepted.
    public func append(_ alerts: [AlertNotification], enqueuedAt: Timestamp) throws(OutboxError) -> [OutboxEntry] {
        guard descriptor >= 0 else { throw .closed }
        guard !alerts.isEmpty else { return [] }
        var bytes = 0
        for alert in alerts {
            let size = OutboxFrame.encodedSize(alert)
            guard size - OutboxFrame.headerSize <= OutboxFrame.maximumPayload else {
                throw .entryTooLarge(alertID: alert.id, bytes: alert.body.count)
            }
            bytes += size
        }
        guard pending.count + alerts.count <= limits.maxPendingEntries, pendingBytes + bytes <= limits.maxPendingBytes else {
            throw .full(pendingEntries: pending.count, pendingBytes: pendingBytes)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes)
        var entries: [OutboxEntry] = []
        entries.reserveCapacity(alerts.count)
        var sizes: [(UInt64, Int)] = []
        for alert in alerts {
            let entry = OutboxEntry(sequence: nextSequence, enqueuedAt: enqueuedAt, alert: alert)
            nextSequence &+= 1
            let before = out.count
            OutboxFrame.encodeAppend(entry, to: &out)
            sizes.append((entry.sequence, out.count - before))
            entries.append(entry)
        }
        try writeAll(out)
        guard fsync(descriptor) == 0 else { throw Self.failure("fsync", logPath) }
        for (sequence, size) in sizes { pending[sequence] = size }
        pendingBytes += out.count
        return entries
    }

    /// Records that `sequences` left the outbox; compacts the log when it is large and mostly finished.
    public func markDone(_ sequences: [UInt64], outcome: OutboxOutcome) throws(OutboxError) {
        guard descriptor >= 0 else { throw .closed }
        var out: [UInt8] = []
        for sequence in sequences {
            guard let size = pending.removeValue(forKey: sequence) else { continue }
            pendingBytes -= size
            OutboxFrame.encodeDone(sequence: sequence, outcome: outcome, to: &out)
        }
        guard !out.isEmpty else { return }
        try writeAll(out)
        if fileSize > limits.compactionThresholdBytes, pendingBytes * 2 <= fileSize {
            try compact()
        }
    }

    /// Forgets the recovered entries (the caller has queued them).
    public func takeRecovered() -> [OutboxEntry] {
        defer { recovered = [] }
        return recovered
    }

    /// Fsyncs and closes the log; the outbox refuses further use.
    public func close() {
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        systemClose(descriptor)
        descriptor = -1
    }

    /// Rewrites the log with only the pending entries: a new file, fsynced, renamed over the old, directory fsynced.
    func compact() throws(OutboxError) {
        let contents = try Self.readAll(descriptor, path: logPath, from: 0)
        var kept: [UInt8] = []
        kept.reserveCapacity(pendingBytes)
        contents.withUnsafeBytes { bytes in
            var offset = 0
            while let (frame, size) = OutboxFrame.decode(bytes, at: offset) {
                if case .append(let entry) = frame, pending[entry.sequence] != nil {
                    kept.append(contentsOf: bytes[offset..<(offset + size)])
                }
                offset += size
            }
        }
        let fd = open(compactionPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.failure("create", compactionPath) }
        var offset = 0
        while offset < kept.count {
            let written = kept.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                systemClose(fd)
                throw Self.failure("write", compactionPath)
            }
            offset += written
        }
        guard fsync(fd) == 0, flock(fd, LOCK_EX | LOCK_NB) == 0, rename(compactionPath, logPath) == 0 else {
            systemClose(fd)
            throw Self.failure("replace log with", compactionPath)
        }
        Self.fsyncDirectory(directory)
        systemClose(descriptor)
        descriptor = fd
        fileSize = kept.count
        guard lseek(fd, off_t(fileSize), SEEK_SET) >= 0 else { throw Self.failure("seek", logPath) }
    }

    private func writeAll(_ bytes: [UInt8]) throws(OutboxError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let failure = Self.failure("write", logPath)
                // A partial entry must not stay in front of later ones: cut the log back to where it was.
                _ = ftruncate(descriptor, off_t(fileSize))
                _ = lseek(descriptor, off_t(fileSize), SEEK_SET)
                throw failure
            }
            offset += written
        }
        fileSize += bytes.count
    }

    private static func readAll(_ fd: Int32, path: String, from start: Int = 0) throws(OutboxError) -> [UInt8] {
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var position = start
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(position)) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw failure("read", path) }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[0..<count])
            position += count
        }
    }

    private static func makeDirectory(_ path: String) throws(OutboxError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw failure("create directory", prefix) }
        }
    }

    private static func fsyncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        systemClose(fd)
    }

    private static func failure(_ operation: String, _ path: String) -> OutboxError {
        .io(operation: operation, path: path, reason: String(cString: strerror(errno)))
    }
}

/// The C library's `close`, reachable from inside `AlertOutbox` (whose own `close()` shadows it).
private func systemClose(_ descriptor: Int32) {
    _ = close(descriptor)
}

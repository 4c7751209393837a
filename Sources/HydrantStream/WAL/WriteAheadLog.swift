import Foundation
import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stream's segmented write-ahead log with group commit.
///
/// Appends from any number of concurrent callers queue up; one dedicated writer thread (not the Swift cooperative
/// pool, which must not block on `fdatasync`) takes everything queued and writes it with one `write`. A second
/// thread, the committer, syncs what was written with one `fdatasync`, then hands the frames to `onCommit` and
/// resumes every waiting caller, while the writer already frames and writes the next group. A caller's append
/// therefore returns only once its bytes are synced, many callers share one sync, and the sync is off the path of
/// framing and writing.
///
/// Each segment counts the records in it that are not yet delivered; delivery `release`s them, and a sealed
/// segment whose count reaches zero is deleted. The bytes of live segments are bounded by `maximumBacklogBytes`:
/// beyond it appends are answered `.throttled` instead of being written.
public final class WriteAheadLog: @unchecked Sendable {
    /// Sizes of the log.
    public struct Options: Sendable, Hashable {
        /// A segment is sealed and a new one started once it would grow past this size.
        public var segmentBytes: Int
        /// Appends are throttled while live segments (sealed but not released, plus the active one) exceed this.
        public var maximumBacklogBytes: Int
        /// Whether segments are written past the page cache (`O_DIRECT`) where the file system allows.
        public var directWrites: Bool
        /// How record bytes are stored; a log reads frames of either kind whatever this says.
        public var compression: WALCompression
        /// The zstd level when `compression` is zstd (negative levels are zstd's fast ones).
        public var compressionLevel: Int32

        /// Options; `segmentBytes` defaults to an eighth of the backlog bound, between 64 KiB and 64 MiB, so that
        /// the active segment (which is never deleted) stays a small part of the bound.
        public init(maximumBacklogBytes: Int, segmentBytes: Int? = nil, directWrites: Bool = true,
                    compression: WALCompression = .default,
                    compressionLevel: Int32 = Int32(DeliveryStreamConfiguration.defaultLogCompressionLevel)) {
            self.maximumBacklogBytes = maximumBacklogBytes
            self.directWrites = directWrites
            self.compression = compression
            self.compressionLevel = compressionLevel
            self.segmentBytes = segmentBytes ?? min(64 << 20, max(64 << 10, maximumBacklogBytes / 8))
        }
    }

    /// Counters of the writer, for tests and benchmarks.
    public struct Statistics: Sendable, Hashable {
        /// Appends committed.
        public var appends = 0
        /// `fdatasync` calls made.
        public var syncs = 0
        /// Segments deleted after every record in them was released.
        public var deletedSegments = 0
    }

    private struct Segment {
        var bytes: Int
        var outstanding: Int
        var sealed: Bool
    }

    private struct Request {
        let batch: IngestBatch
        /// The records' bytes compressed by the caller, or nil to store them plainly.
        let compressed: CompressedRecords?
        let arrival: Timestamp
        let continuation: CheckedContinuation<WALAppendResult, Never>
    }

    /// A request whose frame is written, waiting for its sync.
    private struct PendingFrame {
        let request: Request
        let frame: WALFrame
        let size: Int
    }

    /// What the writer hands the committer: frames written to one segment's file, or that file to close once
    /// everything written to it is synced (`closesFile`; `isLast` when the log is closing).
    private struct SyncJob {
        let segment: UInt64
        let fd: Int32
        let pending: [PendingFrame]
        let closesFile: Bool
        let isLast: Bool
        /// For a file to close: the length of its frames, to cut a direct write's padding off.
        var length = 0
    }

    /// The directory holding the segment files.
    public let directory: String
    /// The sizes in force.
    public let options: Options

    private let condition = NSCondition()
    /// Set when `options.compression` asks for zstd, always or when the CPUs have time to spare.
    private let compressor: WALRecordCompressor?
    /// Set when `options.compression` is `auto`: picks the puts that are compressed.
    private let governor: CompressionGovernor?
    private let onCommit: @Sendable ([WALFrame]) -> Void
    // Everything below is guarded by `condition`.
    private var queue: [Request] = []
    private var queuedBytes = 0
    private var segments: [UInt64: Segment] = [:]
    private var liveBytes = 0
    private var closing = false
    private var closed = false
    private var stickyFailure: String?
    private var statistics = Statistics()
    // Owned by the writer thread once it runs.
    private var activeSegment: UInt64
    private var activeFile: DirectFile
    /// Where a group is framed. Direct writes rewrite the segment's last, partly filled block each time: its bytes
    /// stay at the start of `staging` (`tailBytes`), and the next group's frames are framed right after them.
    private let staging = AlignedBuffer(capacity: 1 << 20)
    private var nextSequence: UInt64
    private var activeWrittenBytes = 0
    /// Bytes of the group being framed in `staging`, after the segment's last partial block.
    private var groupBytes = 0
    // Guarded by `syncCondition`: jobs from the writer to the committer, in log order.
    private let syncCondition = NSCondition()
    private var syncQueue: [SyncJob] = []
    private let writerDone = DispatchSemaphore(value: 0)
    /// Segments (and the length of their valid frames) still to hand back after opening.
    private var replayQueue: [(id: UInt64, length: Int)] = []
    /// What opening the log found.
    public let replayReport: WALReplayReport

    /// Opens (creating if needed) the log in `directory`, reads back every frame of every segment, truncates a
    /// torn frame at the end of the last one, and starts the writer and the committer. `onCommit` receives, on the
    /// committer thread, each group's frames right after they are synced (in log order); keep it short.
    public convenience init(directory: String, options: Options,
                            onCommit: @escaping @Sendable ([WALFrame]) -> Void) throws(WALError) {
        try self.init(directory: directory, options: options, governor: nil, onCommit: onCommit)
    }

    /// Opens the log as above; with `log_compression: auto`, `governor` (when given) decides which puts are
    /// compressed.
    init(directory: String, options: Options, governor: CompressionGovernor?,
         onCommit: @escaping @Sendable ([WALFrame]) -> Void) throws(WALError) {
        self.directory = directory
        self.options = options
        self.onCommit = onCommit
        compressor = options.compression == .none ? nil : WALRecordCompressor(level: options.compressionLevel)
        self.governor = options.compression == .auto ? (governor ?? CompressionGovernor()) : nil
        try SegmentFiles.makeDirectories(directory)
        let ids = try SegmentFiles.list(directory)
        var report = WALReplayReport()
        var replay: [(id: UInt64, length: Int)] = []
        var segments: [UInt64: Segment] = [:]
        var liveBytes = 0
        var sequence: UInt64 = 0
        for (position, id) in ids.enumerated() {
            let path = directory + "/" + SegmentFiles.name(of: id)
            let bytes = try SegmentFiles.read(path)
            var offset = 0
            var records = 0
            // Only checked and counted here; the records are read again one segment at a time by
            // `nextReplayedSegment()`, so that a large backlog is never in memory at once.
            bytes.withUnsafeBytes { raw in
                while offset < raw.count {
                    guard let checked = WALFrameCodec.check(raw, at: offset) else { break }
                    let first = raw.loadUnaligned(fromByteOffset: offset + WALFrameCodec.headerSize, as: UInt64.self)
                    records += checked.records
                    sequence = max(sequence, UInt64(littleEndian: first) + UInt64(checked.records))
                    offset = checked.end
                }
            }
            report.segments += 1
            report.records += records
            var size = bytes.count
            let padding = bytes.withUnsafeBytes { SegmentFiles.isPadding($0, from: offset) }
            if offset < bytes.count && padding {
                // Zeros after the last frame up to a block boundary: a direct write's padding, left by a stop
                // before the segment was closed; not a torn frame.
                try SegmentFiles.truncate(path, to: offset)
                size = offset
            } else if offset < bytes.count {
                if position == ids.count - 1 {
                    try SegmentFiles.truncate(path, to: offset)
                    report.truncatedBytes += bytes.count - offset
                    size = offset
                } else {
                    report.corruptFrames += 1
                }
            }
            if records == 0 {
                unlink(path)
            } else {
                segments[id] = Segment(bytes: size, outstanding: records, sealed: true)
                liveBytes += size
                replay.append((id, offset))
            }
        }
        let active = (ids.last ?? 0) + 1
        segments[active] = Segment(bytes: 0, outstanding: 0, sealed: false)
        replayReport = report
        replayQueue = replay
        nextSequence = sequence
        activeSegment = active
        self.segments = segments
        self.liveBytes = liveBytes
        activeFile = try SegmentFiles.create(directory + "/" + SegmentFiles.name(of: active), direct: options.directWrites)
        SegmentFiles.syncDirectory(directory)
        let thread = Thread { [self] in writerLoop() }
        thread.name = "hydrant-wal"
        thread.start()
        let committer = Thread { [self] in committerLoop() }
        committer.name = "hydrant-wal-sync"
        committer.start()
    }

    /// The frames of the next segment found when the log was opened (records not known to be delivered), or nil
    /// when every such segment was handed back. Reads the segment from disk.
    public func nextReplayedSegment() throws(WALError) -> [WALFrame]? {
        condition.lock()
        guard !replayQueue.isEmpty else {
            condition.unlock()
            return nil
        }
        let (id, length) = replayQueue.removeFirst()
        condition.unlock()
        let bytes = try SegmentFiles.read(directory + "/" + SegmentFiles.name(of: id))
        var frames: [WALFrame] = []
        bytes.withUnsafeBytes { raw in
            let valid = UnsafeRawBufferPointer(rebasing: raw[0..<min(length, raw.count)])
            var offset = 0
            while offset < valid.count, let decoded = WALFrameCodec.decode(valid, at: offset, segment: id) {
                frames.append(decoded.frame)
                offset = decoded.end
            }
        }
        return frames
    }

    /// Whether segments found at opening remain to be handed back.
    public var hasReplayPending: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !replayQueue.isEmpty
    }

    /// Every frame found when the log was opened and not yet handed back, read at once (for tests and tools; a
    /// stream reads them a segment at a time).
    public func takeReplayedFrames() throws(WALError) -> [WALFrame] {
        var frames: [WALFrame] = []
        while let segment = try nextReplayedSegment() { frames += segment }
        return frames
    }

    /// Appends `batch`, returning once it is synced (`.committed`), or at once when the backlog is full or the log
    /// closing (`.throttled`), or when writing failed (`.failed`, nothing acknowledged).
    ///
    /// Compression, when configured, happens here on the caller's thread: callers run on every core, while the
    /// writer is one thread that should only copy bytes.
    public func append(_ batch: IngestBatch, arrival: Timestamp) async -> WALAppendResult {
        let compressed = (governor?.shouldCompress(bytes: batch.byteCount) ?? true) ? compressor?.compress(batch) : nil
        let size = WALFrameCodec.encodedSize(of: batch, compressed: compressed)
        // A frame the reader would refuse must never be acknowledged (the API's limits keep batches far below).
        // (Checked on the plain size, which bounds both a frame and the records a compressed frame holds.)
        guard WALFrameCodec.encodedSize(of: batch) - WALFrameCodec.headerSize <= WALFrameCodec.maximumPayload else {
            return .failed("a batch of \(batch.byteCount) bytes is larger than a log frame may be")
        }
        return await withCheckedContinuation { continuation in
            condition.lock()
            if closing {
                condition.unlock()
                continuation.resume(returning: .throttled)
                return
            }
            if let stickyFailure {
                condition.unlock()
                continuation.resume(returning: .failed(stickyFailure))
                return
            }
            // Something is always admitted into an empty log, so a batch larger than the bound cannot wedge it.
            let pending = liveBytes + queuedBytes
            if pending > 0 && pending + size > options.maximumBacklogBytes {
                condition.unlock()
                continuation.resume(returning: .throttled)
                return
            }
            queue.append(Request(batch: batch, compressed: compressed, arrival: arrival, continuation: continuation))
            queuedBytes += size
            condition.signal()
            condition.unlock()
        }
    }

    /// Marks `count` records of `segment` delivered; deletes the segment when it is sealed and nothing in it is left.
    public func release(segment: UInt64, count: Int) {
        adjust(segment: segment, by: -count)
    }

    /// Counts `count` more outstanding deliveries against `segment`: a record that became several (deaggregated,
    /// backed up) is released once per piece.
    public func retain(segment: UInt64, count: Int) {
        adjust(segment: segment, by: count)
    }

    private func adjust(segment id: UInt64, by delta: Int) {
        guard delta != 0 else { return }
        condition.lock()
        defer { condition.unlock() }
        guard var segment = segments[id] else { return }
        segment.outstanding += delta
        if segment.outstanding <= 0 && segment.sealed {
            deleteSegment(id, bytes: segment.bytes)
        } else {
            segments[id] = segment
        }
    }

    /// Must hold `condition`.
    private func deleteSegment(_ id: UInt64, bytes: Int) {
        segments[id] = nil
        liveBytes -= bytes
        unlink(directory + "/" + SegmentFiles.name(of: id))
        statistics.deletedSegments += 1
        condition.broadcast()
    }

    /// The bytes of live segments on disk.
    public var backlogBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return liveBytes
    }

    /// The number of segment files (including the active one).
    public var segmentCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return segments.count
    }

    /// Whether an append of typical size would be throttled now.
    public var isFull: Bool {
        condition.lock()
        defer { condition.unlock() }
        return liveBytes + queuedBytes >= options.maximumBacklogBytes
    }

    /// The share of puts being compressed (1 with `zstd`, 0 with `none`, the governor's choice with `auto`).
    public var compressedShare: Double {
        if let governor { return governor.compressedShare }
        return compressor == nil ? 0 : 1
    }

    /// The write failure that stopped the log, if one did.
    public var failure: String? {
        condition.lock()
        defer { condition.unlock() }
        return stickyFailure
    }

    /// The writer's counters.
    public var counters: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }

    /// Refuses further appends, lets the writer finish what is queued, and closes the active segment.
    /// Records not yet released stay on disk and are replayed by the next open.
    public func close() {
        condition.lock()
        if closed {
            condition.unlock()
            return
        }
        closing = true
        closed = true
        condition.signal()
        condition.unlock()
        writerDone.wait()
    }

    private func writerLoop() {
        while true {
            condition.lock()
            while queue.isEmpty && !closing { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                break
            }
            let group = queue
            queue = []
            condition.unlock()
            write(group)
        }
        // The committer closes the active segment's file after its last sync, then seals it.
        handOver(SyncJob(segment: activeSegment, fd: activeFile.descriptor, pending: [], closesFile: true, isLast: true,
                         length: activeWrittenBytes))
    }

    /// Writes one group: frames go into one buffer, written once (more often only when a segment rolls), and
    /// handed to the committer to be synced.
    private func write(_ group: [Request]) {
        var pending: [PendingFrame] = []
        pending.reserveCapacity(group.count)
        groupBytes = 0
        for request in group {
            let size = WALFrameCodec.encodedSize(of: request.batch, compressed: request.compressed)
            if activeWrittenBytes + groupBytes > 0 && activeWrittenBytes + groupBytes + size > options.segmentBytes {
                flush(&pending)
                roll()
            }
            let frame = WALFrame(segment: activeSegment, firstSequence: nextSequence, arrival: request.arrival,
                                 records: request.batch)
            let start = tailBytes + groupBytes
            // Room for the frame and the padding of the last block.
            staging.reserve(start + size + AlignedBuffer.alignment, keeping: start)
            WALFrameCodec.encode(request.batch, compressed: request.compressed, firstSequence: nextSequence,
                                 arrival: request.arrival, at: staging.base + start)
            groupBytes += size
            nextSequence += UInt64(request.batch.count)
            pending.append(PendingFrame(request: request, frame: frame, size: size))
        }
        flush(&pending)
    }

    /// Writes the buffer and hands its requests to the committer, or fails them when the write fails.
    ///
    /// The bytes and records count against their segment from the moment they are written, not synced: a segment
    /// rolled while its last frames still wait for their sync must not look fully delivered and be deleted.
    private func flush(_ pending: inout [PendingFrame]) {
        guard !pending.isEmpty else { return }
        defer { groupBytes = 0 }
        let sizes = pending.reduce(0) { $0 + $1.size }
        condition.lock()
        var failure = stickyFailure
        condition.unlock()
        if failure == nil, let error = writeGroup() {
            // Undo a partial write so the segment still ends on a frame boundary; the log stays usable.
            if ftruncate(activeFile.descriptor, off_t(activeWrittenBytes)) != 0 {
                setSticky("write failed (\(error)) and the segment could not be cut back")
            }
            failure = "write failed: \(error)"
        }
        condition.lock()
        queuedBytes -= sizes
        if let failure {
            condition.unlock()
            for item in pending { item.request.continuation.resume(returning: .failed(failure)) }
            pending.removeAll(keepingCapacity: true)
            return
        }
        if var segment = segments[activeSegment] {
            segment.bytes += sizes
            segment.outstanding += pending.reduce(0) { $0 + $1.frame.records.count }
            segments[activeSegment] = segment
        }
        liveBytes += sizes
        condition.unlock()
        activeWrittenBytes += sizes
        handOver(SyncJob(segment: activeSegment, fd: activeFile.descriptor, pending: pending, closesFile: false,
                         isLast: false))
        pending = []
    }

    /// The bytes of the active segment's last, partly filled block, kept at the start of `staging` while writes are
    /// direct (none otherwise).
    private var tailBytes: Int {
        activeFile.isDirect ? activeWrittenBytes - AlignedBuffer.roundDown(activeWrittenBytes) : 0
    }

    /// Writes the group framed in `staging` at the end of the active segment; nil, or the error text.
    ///
    /// Direct writes need whole aligned blocks: the segment's last, partly filled block is written again with the
    /// new frames after it, and the last block is padded with zeros (cut off when the segment is closed, and known
    /// as padding when a crash leaves it).
    private func writeGroup() -> String? {
        let tail = tailBytes
        if activeFile.isDirect {
            let total = tail + groupBytes
            let padded = AlignedBuffer.roundUp(total)
            (staging.base + total).initializeMemory(as: UInt8.self, repeating: 0, count: padded - total)
            switch activeFile.write(staging.base, count: padded, at: activeWrittenBytes - tail) {
            case .written:
                // The new last block's bytes move to the front for the next group.
                let nextBlock = AlignedBuffer.roundDown(total)
                if nextBlock > 0 && total > nextBlock {
                    staging.base.copyMemory(from: staging.base + nextBlock, byteCount: total - nextBlock)
                }
                return nil
            case .failed(let error):
                return error
            case .directRefused:
                break  // the file is buffered now: written below like any other
            }
        }
        if case .failed(let error) = activeFile.write(staging.base + tail, count: groupBytes, at: activeWrittenBytes) {
            return error
        }
        return nil
    }

    /// Closes a segment's file on the committer, once everything written to it is synced; a direct write's padding
    /// is cut off first, so a closed segment holds exactly its frames.
    private func finishFile(_ job: SyncJob) {
        guard job.fd >= 0 else { return }
        var size = stat()
        if fstat(job.fd, &size) == 0 && Int(size.st_size) > job.length {
            if ftruncate(job.fd, off_t(job.length)) == 0 { _ = SegmentFiles.syncData(job.fd) }
        }
        SegmentFiles.closeFile(job.fd)
    }

    /// Queues written frames (or a file to close) for the committer.
    private func handOver(_ job: SyncJob) {
        syncCondition.lock()
        syncQueue.append(job)
        syncCondition.signal()
        syncCondition.unlock()
    }

    /// The committer: syncs what the writer wrote, then reports it committed, in log order.
    ///
    /// It runs beside the writer so that `fdatasync` of one group overlaps the framing and writing of the next;
    /// everything written before a sync starts is covered by it, so one sync commits every job queued meanwhile.
    private func committerLoop() {
        var finished = false
        while !finished {
            syncCondition.lock()
            while syncQueue.isEmpty { syncCondition.wait() }
            let jobs = syncQueue
            syncQueue = []
            syncCondition.unlock()
            var index = 0
            while index < jobs.count {
                // Jobs of one segment are consecutive (the writer rolls only forward): sync each file once.
                var end = index + 1
                while end < jobs.count && jobs[end].segment == jobs[index].segment { end += 1 }
                commit(jobs[index..<end])
                for job in jobs[index..<end] where job.closesFile {
                    finishFile(job)
                    seal(job.segment)
                    if job.isLast { finished = true }
                }
                index = end
            }
        }
        writerDone.signal()
    }

    /// Syncs one segment's file and commits (or, when the sync fails, fails) its jobs' requests.
    private func commit(_ jobs: ArraySlice<SyncJob>) {
        let count = jobs.reduce(0) { $0 + $1.pending.count }
        guard count > 0, let fd = jobs.first?.fd else { return }
        condition.lock()
        var failure = stickyFailure
        condition.unlock()
        if failure == nil, let error = SegmentFiles.syncData(fd) {
            // After a failed fsync the kernel may have dropped the dirty pages; nothing written since can be
            // trusted, so the log stops accepting until restarted (and replayed).
            setSticky("fdatasync failed: \(error)")
            failure = "fdatasync failed: \(error)"
        }
        if let failure {
            for job in jobs { for item in job.pending { item.request.continuation.resume(returning: .failed(failure)) } }
            return
        }
        condition.lock()
        statistics.appends += count
        statistics.syncs += 1
        condition.unlock()
        var frames: [WALFrame] = []
        frames.reserveCapacity(count)
        for job in jobs { for item in job.pending { frames.append(item.frame) } }
        onCommit(frames)
        for job in jobs {
            for item in job.pending {
                item.request.continuation.resume(returning: .committed(segment: item.frame.segment,
                                                                       firstSequence: item.frame.firstSequence))
            }
        }
    }

    private func setSticky(_ message: String) {
        condition.lock()
        if stickyFailure == nil { stickyFailure = message }
        condition.unlock()
    }

    /// Marks a segment whose file is closed as sealed, deleting it if every record in it was already delivered.
    private func seal(_ id: UInt64) {
        condition.lock()
        if var sealed = segments[id] {
            sealed.sealed = true
            if sealed.outstanding <= 0 {
                deleteSegment(id, bytes: sealed.bytes)
            } else {
                segments[id] = sealed
            }
        }
        condition.unlock()
    }

    /// Starts the next segment; the committer closes and seals the previous one once its last frames are synced.
    private func roll() {
        let next = activeSegment + 1
        let file: DirectFile
        do {
            file = try SegmentFiles.create(directory + "/" + SegmentFiles.name(of: next), direct: options.directWrites)
        } catch {
            // Keep appending to the current segment; it only grows past its nominal size.
            return
        }
        SegmentFiles.syncDirectory(directory)
        handOver(SyncJob(segment: activeSegment, fd: activeFile.descriptor, pending: [], closesFile: true, isLast: false,
                         length: activeWrittenBytes))
        activeFile = file
        activeWrittenBytes = 0
        condition.lock()
        activeSegment = next
        segments[next] = Segment(bytes: 0, outstanding: 0, sealed: false)
        condition.unlock()
    }
}

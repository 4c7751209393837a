import Foundation
import HydrantRecords
import Testing
@testable import HydrantStream

/// Frames the log committed, in the order it reported them.
private final class CommitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [WALFrame] = []
    func add(_ frames: [WALFrame]) {
        lock.lock()
        stored.append(contentsOf: frames)
        lock.unlock()
    }
    var frames: [WALFrame] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

/// A log storing records plainly unless asked: these tests count frame and segment sizes in record bytes
/// (WALCompressionTests covers compressed frames).
private func openLog(_ directory: ScratchDirectory, backlog: Int = 1 << 30, segment: Int? = nil, direct: Bool = true,
                     compression: WALCompression = .none, commits: CommitLog = CommitLog()) throws -> WriteAheadLog {
    try WriteAheadLog(directory: directory.path + "/wal",
                      options: .init(maximumBacklogBytes: backlog, segmentBytes: segment, directWrites: direct,
                                     compression: compression),
                      onCommit: { commits.add($0) })
}

private func texts(_ frames: [WALFrame]) -> [String] {
    frames.flatMap { frame in (0..<frame.records.count).map { String(decoding: frame.records[$0], as: UTF8.self) } }
}

private func segmentFiles(_ directory: ScratchDirectory) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/wal")) ?? []).filter { $0.hasSuffix(".wal") }.sorted()
}

@Suite("Write-ahead log")
struct WriteAheadLogTests {
    @Test("many concurrent appends share fsyncs, all are durable and replayed in log order (direct and buffered writes)",
          arguments: [true, false])
    func groupCommit(direct: Bool) async throws {
        let directory = try ScratchDirectory("wal")
        defer { directory.remove() }
        let commits = CommitLog()
        let log = try openLog(directory, direct: direct, commits: commits)
        let results = await withTaskGroup(of: WALAppendResult.self, returning: [WALAppendResult].self) { group in
            for index in 0..<400 {
                group.addTask { await log.append(batch(["record \(index)", "second \(index)"]), arrival: Timestamp(nanoseconds: Int64(index))) }
            }
            var all: [WALAppendResult] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.allSatisfy { if case .committed = $0 { true } else { false } })
        let counters = log.counters
        #expect(counters.appends == 400)
        #expect(counters.syncs < counters.appends, "group commit should need fewer fsyncs (\(counters.syncs)) than appends")
        let committed = commits.frames
        #expect(committed.count == 400)
        // Sequence numbers are dense and follow log order.
        var expected: UInt64 = 0
        for frame in committed {
            #expect(frame.firstSequence == expected)
            expected += UInt64(frame.records.count)
        }
        log.close()

        let reopened = try openLog(directory)
        defer { reopened.close() }
        let replayed = try reopened.takeReplayedFrames()
        #expect(texts(replayed) == texts(committed))
        #expect(reopened.replayReport.records == 800)
        #expect(Set(texts(replayed)).count == 800)
    }

    @Test("reopening replays only segments with undelivered records; released sealed segments are deleted")
    func releaseAndReplay() async throws {
        let directory = try ScratchDirectory("wal")
        defer { directory.remove() }
        let commits = CommitLog()
        let log = try openLog(directory, segment: 4096, commits: commits)
        for index in 0..<20 {
            _ = await log.append(batch([String(repeating: "\(index % 10)", count: 1000)]), arrival: .zero)
        }
        let frames = commits.frames
        let segments = Array(Set(frames.map(\.segment))).sorted()
        #expect(segments.count >= 4)
        let first = segments[0]
        let inFirst = frames.filter { $0.segment == first }.count
        #expect(inFirst >= 2)
        let filesBefore = segmentFiles(directory)
        log.release(segment: first, count: inFirst - 1)
        #expect(segmentFiles(directory) == filesBefore, "a segment with an outstanding record must stay")
        log.release(segment: first, count: 1)
        #expect(segmentFiles(directory).count == filesBefore.count - 1, "a released sealed segment is deleted")
        #expect(log.counters.deletedSegments == 1)
        // The active segment is not deleted even when released.
        let active = segments[segments.count - 1]
        log.release(segment: active, count: frames.filter { $0.segment == active }.count)
        #expect(segmentFiles(directory).count == filesBefore.count - 1)
        log.close()
        // Closing seals the active segment; it was fully released, so it goes.
        #expect(segmentFiles(directory).count == filesBefore.count - 2)

        let reopened = try openLog(directory)
        defer { reopened.close() }
        let replayed = try reopened.takeReplayedFrames()
        let expected = frames.filter { $0.segment != first && $0.segment != active }
        #expect(texts(replayed) == texts(expected))
    }

    @Test("segments rolled while their last frames await the sync keep every record until released")
    func rollsDuringConcurrentAppends() async throws {
        let directory = try ScratchDirectory("wal")
        defer { directory.remove() }
        let commits = CommitLog()
        // Segments smaller than two frames: nearly every group rolls, often with frames of the old segment still
        // queued for their sync.
        let log = try openLog(directory, segment: 200, commits: commits)
        let results = await withTaskGroup(of: WALAppendResult.self, returning: [WALAppendResult].self) { group in
            for index in 0..<300 {
                group.addTask { await log.append(batch([String(repeating: "r", count: 100) + "\(index)"]), arrival: .zero) }
            }
            var all: [WALAppendResult] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.allSatisfy { if case .committed = $0 { true } else { false } })
        let frames = commits.frames
        #expect(frames.count == 300)
        let segments = Array(Set(frames.map(\.segment))).sorted()
        #expect(segments.count > 100, "rolls happened (\(segments.count) segments)")
        #expect(log.counters.deletedSegments == 0, "nothing was released, so nothing may be deleted")
        log.close()
        #expect(segmentFiles(directory).count == segments.count)

        let reopened = try openLog(directory)
        let replayed = try reopened.takeReplayedFrames()
        #expect(texts(replayed) == texts(frames), "every record is replayed, in log order")
        // Releasing every replayed record deletes every sealed segment.
        for frame in replayed { reopened.release(segment: frame.segment, count: frame.records.count) }
        #expect(reopened.counters.deletedSegments == segments.count)
        reopened.close()
        #expect(segmentFiles(directory).isEmpty)
    }

    @Test("zeros after the last frame up to a block boundary (a direct write's padding after a crash) are not a torn frame")
    func paddingAfterCrash() async throws {
        let directory = try ScratchDirectory("wal")
        defer { directory.remove() }
        let log = try openLog(directory, segment: 600)
        for index in 0..<6 { _ = await log.append(batch([String(repeating: "p", count: 200) + "\(index)"]), arrival: .zero) }
        log.close()
        let files = segmentFiles(directory)
        #expect(files.count >= 2)
        // A closed segment holds exactly its frames; a crash leaves the last block's zero padding behind instead.
        var exactSizes: [Int] = []
        for name in files {
            let url = URL(fileURLWithPath: directory.path + "/wal/" + name)
            var bytes = try Data(contentsOf: url)
            #expect(bytes.count % 4096 != 0, "closed segments are cut to their frames")
            exactSizes.append(bytes.count)
            bytes.append(Data(count: 4096 - bytes.count % 4096))
            try bytes.write(to: url)
        }
        let reopened = try openLog(directory)
        defer { reopened.close() }
        #expect(texts(try reopened.takeReplayedFrames()) == (0..<6).map { String(repeating: "p", count: 200) + "\($0)" })
        #expect(reopened.replayReport.truncatedBytes == 0)
        #expect(reopened.replayReport.corruptFrames == 0)
        let sizes = try files.map { try Data(contentsOf: URL(fileURLWithPath: directory.path + "/wal/" + $0)).count }
        #expect(sizes == exactSizes, "the padding is cut off again")
    }

    @Test("a torn frame at the end of the last segment is cut off")
    func tornTail() async throws {
        let directory = try ScratchDirectory("wal")
        defer { directory.remove() }
        let log = try openLog(directory)
        for index in 0..<3 { _ = await log.append(batch(["frame \(index)"]), arrival: .zero) }
        log.close()
        let file = directory.path + "/wal/" + segmentFiles(directory)[0]
        let intact = try Data(contentsOf: URL(fileURLWithPath: file))
        // A crash in the middle of the fourth write: half a frame header and some payload.
        var torn = intact
        torn.append(contentsOf: intact.prefix(20))
        try torn.write(to: URL(fileURLWithPath: file))

        let reopened = try openLog(directory)
        #expect(texts(try reopened.takeReplayedFrames()) == ["frame 0", "frame 1", "frame 2"])
        #expect(reopened.replayReport.truncatedBytes == 20)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == intact)
        // The log keeps working after the repair.
        #expect(await reopened.append(batch(["after"]), arrival: .zero) != .throttled)
        reopened.close()
        let again = try openLog(directory)
        defer { again.close() }
        #expect(texts(try again.takeReplayedFrames()) == ["frame 0", "frame 1", "frame 2", "after"])
    }

    @Test("a corrupted frame fails its checksum and is never replayed")
    func corruptFrame() async throws {
        let directory = try ScratchDirectory("wal")
        defer { directory.remove() }
        let log = try openLog(directory)
        for index in 0..<3 { _ = await log.append(batch(["frame \(index)"]), arrival: .zero) }
        log.close()
        let file = directory.path + "/wal/" + segmentFiles(directory)[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        // Flip one byte of the second frame's record text ("frame 1").
        let frameSize = bytes.count / 3
        let position = frameSize + frameSize - 2
        bytes[position] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: file))

        let reopened = try openLog(directory)
        defer { reopened.close() }
        let replayed = texts(try reopened.takeReplayedFrames())
        #expect(replayed == ["frame 0"])
        #expect(reopened.replayReport.truncatedBytes == 2 * frameSize)
    }

    @Test("past the backlog bound appends are throttled, and accepted again once segments are released")
    func backlogBound() async throws {
        let directory = try ScratchDirectory("wal")
        defer { directory.remove() }
        let commits = CommitLog()
        let log = try openLog(directory, backlog: 64 * 1024, segment: 8 * 1024, commits: commits)
        defer { log.close() }
        let record = String(repeating: "r", count: 1000)
        var accepted = 0
        var throttled = false
        for _ in 0..<200 {
            switch await log.append(batch([record]), arrival: .zero) {
            case .committed: accepted += 1
            case .throttled: throttled = true
            case .failed(let reason): Issue.record("append failed: \(reason)")
            }
            if throttled { break }
        }
        #expect(throttled)
        #expect(accepted >= 50 && accepted <= 66, "accepted \(accepted) records of 1 KB under a 64 KiB bound")
        #expect(log.backlogBytes <= 64 * 1024)
        #expect(log.isFull || log.backlogBytes > 60 * 1024)
        for frame in commits.frames { log.release(segment: frame.segment, count: frame.records.count) }
        #expect(log.backlogBytes <= 8 * 1024)
        if case .committed = await log.append(batch([record]), arrival: .zero) {} else {
            Issue.record("append after release was not committed")
        }
    }

    @Test("CRC-32C matches the standard check value")
    func crc() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        let long = Array(repeating: UInt8(0x61), count: 1000)
        var piecewise: UInt32 = 0
        long.withUnsafeBytes { raw in
            piecewise = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<333]))
            piecewise = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[333...]), continuing: piecewise)
        }
        #expect(piecewise == CRC32C.checksum(long))
    }

    @Test("the CPU's CRC instruction and the lookup tables agree on every length and alignment")
    func hardwareMatchesTables() {
        var generator = SystemRandomNumberGenerator()
        // Up to several rounds of the instruction's three-lane loop (3 x 4,096 bytes a round), and what follows them.
        let bytes = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes.withUnsafeBytes { raw in
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000, 4000, 12_287, 12_288, 12_289, 12_295, 24_576, 36_871,
                               69_000] where start + length <= raw.count {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(CRC32C.checksum(slice, continuing: 0x1234_5678) == CRC32C.tableChecksum(slice, continuing: 0x1234_5678))
                }
            }
            #expect(CRC32C.tableChecksum(UnsafeRawBufferPointer(rebasing: raw[0..<0])) == 0)
        }
        let check = Array("123456789".utf8)
        #expect(check.withUnsafeBytes { CRC32C.tableChecksum($0) } == 0xE306_9283)
    }
}

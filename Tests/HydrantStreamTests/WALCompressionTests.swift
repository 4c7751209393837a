import Foundation
import HydrantRecords
import HydrantTestSupport
import Testing
@testable import HydrantStream

/// `count` JSON records shaped like the capture agent's, different in every value that varies in real traffic.
private func networkRecords(_ count: Int, seed: UInt64) -> [String] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { index in
        let a = Int.random(in: 1...254, using: &generator), b = Int.random(in: 0...255, using: &generator)
        let port = Int.random(in: 1024...65535, using: &generator)
        let bytes = Int.random(in: 40...90_000, using: &generator)
        return #"{"@timestamp":"2026-11-27T18:\#(index % 60):05.\#(index % 1000)Z","event":{"dataset":"network.flow","#
            + #""kind":"event","category":["network"]},"source":{"ip":"10.\#(a).\#(b).7","port":\#(port),"bytes":\#(bytes)},"#
            + #""destination":{"ip":"192.0.2.\#(a)","port":443},"network":{"transport":"tcp","protocol":"tls","#
            + #""community_id":"1:\#(String(UInt64.random(in: 0...UInt64.max, using: &generator), radix: 36))="}}"#
    }
}

private func openLog(_ directory: ScratchDirectory, compression: WALCompression,
                     level: Int32 = -3) throws -> WriteAheadLog {
    try WriteAheadLog(directory: directory.path + "/wal",
                      options: .init(maximumBacklogBytes: 1 << 30, compression: compression, compressionLevel: level),
                      onCommit: { _ in })
}

private func texts(_ frames: [WALFrame]) -> [String] {
    frames.flatMap { frame in (0..<frame.records.count).map { String(decoding: frame.records[$0], as: UTF8.self) } }
}

private func logBytes(_ directory: ScratchDirectory) -> Int {
    let wal = directory.path + "/wal"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: wal)) ?? []
    return names.filter { $0.hasSuffix(".wal") }.reduce(0) { total, name in
        let size = (try? FileManager.default.attributesOfItem(atPath: wal + "/" + name)[.size] as? Int) ?? 0
        return total + (size ?? 0)
    }
}

/// One frame encoded into fresh memory.
private func encodedFrame(_ batch: IngestBatch, compressed: CompressedRecords?, firstSequence: UInt64 = 7) -> [UInt8] {
    let size = WALFrameCodec.encodedSize(of: batch, compressed: compressed)
    return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        guard let base = buffer.baseAddress else { return }
        initialized = WALFrameCodec.encode(batch, compressed: compressed, firstSequence: firstSequence,
                                           arrival: Timestamp(nanoseconds: 42), at: UnsafeMutableRawPointer(base))
    }
}

/// A compressed frame built by hand from its parts, with a correct checksum over whatever the parts say.
private func handmadeFrame(count: UInt32, total: UInt32, lengths: [UInt32], zstd: [UInt8]) -> [UInt8] {
    var payload: [UInt8] = []
    func put32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { payload.append(contentsOf: $0) } }
    func put64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { payload.append(contentsOf: $0) } }
    put64(1)
    put64(2)
    put32(count)
    put32(total)
    for length in lengths { put32(length) }
    payload.append(contentsOf: zstd)
    var frame: [UInt8] = []
    func frame32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { frame.append(contentsOf: $0) } }
    frame32(WALFrameCodec.compressedMagic)
    frame32(UInt32(payload.count))
    frame32(payload.withUnsafeBytes { CRC32C.checksum($0) })
    return frame + payload
}

private func decodes(_ bytes: [UInt8]) -> (checked: Bool, decoded: [String]?) {
    bytes.withUnsafeBytes { raw in
        let checked = WALFrameCodec.check(raw, at: 0) != nil
        let decoded = WALFrameCodec.decode(raw, at: 0, segment: 1).map { texts([$0.frame]) }
        return (checked, decoded)
    }
}

@Suite("Write-ahead log compression")
struct WALCompressionTests {
    @Test("compressed puts are replayed byte for byte and the log holds a fraction of the record bytes",
          arguments: [Int32(-7), -3, 1, 9])
    func roundTrip(level: Int32) async throws {
        let directory = try ScratchDirectory("walz")
        defer { directory.remove() }
        let log = try openLog(directory, compression: .zstd, level: level)
        var written: [String] = []
        for put in 0..<40 {
            let records = networkRecords(250, seed: UInt64(put + 1))
            written += records
            #expect(await log.append(batch(records), arrival: Timestamp(nanoseconds: Int64(put))) != .throttled)
        }
        log.close()
        let recordBytes = written.reduce(0) { $0 + $1.utf8.count }
        let onDisk = logBytes(directory)
        #expect(onDisk * 3 < recordBytes, "the log holds \(onDisk) bytes for \(recordBytes) bytes of records")

        let reopened = try openLog(directory, compression: .zstd)
        defer { reopened.close() }
        let frames = try reopened.takeReplayedFrames()
        #expect(texts(frames) == written)
        #expect(reopened.replayReport.records == written.count)
        #expect(frames.map(\.arrival.nanoseconds) == (0..<40).map { Int64($0) })
        var sequence: UInt64 = 0
        for frame in frames {
            #expect(frame.firstSequence == sequence)
            sequence += UInt64(frame.records.count)
        }
    }

    @Test("the backlog bound counts compressed bytes on disk, so the same bound holds several times the records")
    func backlogCountsDiskBytes() async throws {
        let directory = try ScratchDirectory("walz")
        defer { directory.remove() }
        let log = try WriteAheadLog(directory: directory.path + "/wal",
                                    options: .init(maximumBacklogBytes: 64 * 1024, segmentBytes: 8 * 1024,
                                                   compression: .zstd), onCommit: { _ in })
        defer { log.close() }
        var acceptedBytes = 0
        var throttled = false
        for put in 0..<2000 {
            let records = networkRecords(20, seed: UInt64(put + 1))
            switch await log.append(batch(records), arrival: .zero) {
            case .committed: acceptedBytes += records.reduce(0) { $0 + $1.utf8.count }
            case .throttled: throttled = true
            case .failed(let reason): Issue.record("append failed: \(reason)")
            }
            if throttled { break }
        }
        #expect(throttled)
        #expect(log.backlogBytes <= 64 * 1024)
        #expect(acceptedBytes > 3 * 64 * 1024, "only \(acceptedBytes) record bytes fit under a 64 KiB bound")
    }

    @Test("records that do not compress are stored as they arrived")
    func incompressible() async throws {
        var generator = SeededGenerator(seed: 99)
        let records = (0..<100).map { _ in (0..<1000).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        var put = IngestBatch()
        for record in records { put.append(record) }
        #expect(WALRecordCompressor(level: -3).compress(put) == nil)
        #expect(WALRecordCompressor(level: -3).compress(batch(networkRecords(100, seed: 5))) != nil)

        let directory = try ScratchDirectory("walz")
        defer { directory.remove() }
        let log = try openLog(directory, compression: .zstd)
        #expect(await log.append(put, arrival: .zero) != .throttled)
        log.close()
        #expect(logBytes(directory) >= 100 * 1000)
        let reopened = try openLog(directory, compression: .zstd)
        defer { reopened.close() }
        let frames = try reopened.takeReplayedFrames()
        #expect(frames.count == 1)
        #expect(frames.first.map { frame in (0..<frame.records.count).map { Array(frame.records[$0]) } } == records)
    }

    @Test("a log written with and without compression across restarts replays every put in order")
    func mixedKinds() async throws {
        let directory = try ScratchDirectory("walz")
        defer { directory.remove() }
        var written: [String] = []
        for (round, setting) in [WALCompression.none, .zstd, .none, .zstd].enumerated() {
            let log = try openLog(directory, compression: setting)
            _ = try log.takeReplayedFrames()
            for put in 0..<5 {
                // Small puts stay plain whatever the setting; large ones are compressed when asked.
                let records = put == 0 ? ["tiny \(round)"] : networkRecords(50, seed: UInt64(round * 10 + put))
                written += records
                #expect(await log.append(batch(records), arrival: .zero) != .throttled)
            }
            log.close()
        }
        let reopened = try openLog(directory, compression: .none)
        defer { reopened.close() }
        #expect(texts(try reopened.takeReplayedFrames()) == written)
    }

    @Test("every prefix of a compressed frame is incomplete and every flipped bit fails the checksum")
    func tornAndFlipped() throws {
        let records = networkRecords(20, seed: 3)
        let put = batch(records)
        let compressed = try #require(WALRecordCompressor(level: -3).compress(put))
        let frame = encodedFrame(put, compressed: compressed)
        #expect(decodes(frame).checked)
        #expect(decodes(frame).decoded == records)
        for length in 0..<frame.count {
            let result = decodes(Array(frame[0..<length]))
            #expect(!result.checked && result.decoded == nil, "a prefix of \(length) bytes was accepted")
        }
        for position in 0..<frame.count {
            for bit in [0, 3, 7] {
                var flipped = frame
                flipped[position] ^= UInt8(1 << bit)
                let result = decodes(flipped)
                #expect(!result.checked && result.decoded == nil, "bit \(bit) of byte \(position) flipped was accepted")
            }
        }
    }

    @Test("compressed frames whose checksum is right but whose parts disagree are refused, not trusted")
    func inconsistentParts() throws {
        let records = networkRecords(10, seed: 8)
        let put = batch(records)
        let zstd = try #require(WALRecordCompressor(level: -3).compress(put)).bytes
        let lengths = records.map { UInt32($0.utf8.count) }
        let total = UInt32(put.byteCount)
        // The honest frame, built by hand, is accepted: the cases below differ from it in one part each.
        #expect(decodes(handmadeFrame(count: 10, total: total, lengths: lengths, zstd: zstd)).decoded == records)
        let cases: [(String, [UInt8])] = [
            ("lengths add up to more than the total",
             handmadeFrame(count: 10, total: total, lengths: lengths.dropLast() + [lengths[9] + 1], zstd: zstd)),
            ("the total disagrees with the zstd frame's size",
             handmadeFrame(count: 10, total: total - 1, lengths: lengths.dropLast() + [lengths[9] - 1], zstd: zstd)),
            ("a count larger than the lengths present",
             handmadeFrame(count: 1_000_000, total: total, lengths: lengths, zstd: zstd)),
            ("a total above the frame bound",
             handmadeFrame(count: 1, total: UInt32(WALFrameCodec.maximumPayload + 1),
                           lengths: [UInt32(WALFrameCodec.maximumPayload + 1)], zstd: zstd)),
            ("the zstd frame cut short", handmadeFrame(count: 10, total: total, lengths: lengths, zstd: Array(zstd.dropLast(3)))),
            ("bytes after the zstd frame", handmadeFrame(count: 10, total: total, lengths: lengths, zstd: zstd + [0, 1, 2])),
            ("no zstd frame", handmadeFrame(count: 10, total: total, lengths: lengths, zstd: [])),
            ("garbage instead of zstd", handmadeFrame(count: 10, total: total, lengths: lengths,
                                                       zstd: [UInt8](repeating: 0xAB, count: zstd.count))),
        ]
        for (reason, frame) in cases {
            let result = decodes(frame)
            #expect(!result.checked && result.decoded == nil, "accepted a frame with \(reason)")
        }
        // A zstd frame whose header is right but whose blocks are damaged passes the cheap check at open; decoding
        // refuses it (zstd's own checksum of the records) rather than returning wrong records.
        for position in stride(from: 12, to: zstd.count - 4, by: max(1, zstd.count / 40)) {
            var damaged = zstd
            damaged[position] ^= 0x20
            #expect(decodes(handmadeFrame(count: 10, total: total, lengths: lengths, zstd: damaged)).decoded == nil,
                    "damage at byte \(position) of the zstd frame decoded to records")
        }
    }
}

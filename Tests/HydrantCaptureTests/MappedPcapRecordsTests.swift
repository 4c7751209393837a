import Foundation
import HydrantRecords
import Testing
@testable import HydrantCapture

/// A mapped classic pcap file's records are read in place (`MappedPcapRecords`) instead of through libpcap's copy;
/// every file must give exactly what libpcap gives: the same frames, time stamps and lengths, and the same error
/// where libpcap stops.
@Suite struct MappedPcapRecordsTests {
    /// What one reader made of a file: each frame's time, wire length and bytes, then how the read ended.
    private struct Reading: Equatable {
        var frames: [(Int64, Int, [UInt8])] = []
        var inPlace = 0
        var ending = ""

        static func == (lhs: Reading, rhs: Reading) -> Bool {
            lhs.ending == rhs.ending && lhs.frames.count == rhs.frames.count
                && zip(lhs.frames, rhs.frames).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 && $0.2 == $1.2 }
        }
    }

    private static func read(_ path: String, inPlace: Bool) -> Reading {
        var reading = Reading()
        do {
            let source = try PcapSource.openFile(path, filter: nil, readsRecordsInPlace: inPlace)
            reading.inPlace = source.readsRecordsInPlace ? 1 : 0
            loop: while true {
                switch try source.next() {
                case .frame(let frame):
                    reading.frames.append((frame.timestamp.nanoseconds, frame.wireLength, Array(frame.bytes)))
                case .idle:
                    continue
                case .end:
                    reading.ending = "end"
                    break loop
                }
            }
        } catch {
            reading.ending = "\(error)"
        }
        return reading
    }

    /// A classic pcap file: `magic` (as the writer's native value, written little-endian or big-endian), version,
    /// snapshot length, and records of (seconds, fraction, captured length in the header, wire length, bytes).
    private static func file(bigEndian: Bool, nanoseconds: Bool, minor: UInt16 = 4, snapshot: UInt32 = 262_144,
                             records: [(UInt32, UInt32, UInt32, UInt32, [UInt8])], trailing: [UInt8] = []) throws -> URL {
        var out: [UInt8] = []
        func put32(_ value: UInt32) {
            withUnsafeBytes(of: bigEndian ? value.bigEndian : value.littleEndian) { out.append(contentsOf: $0) }
        }
        func put16(_ value: UInt16) {
            withUnsafeBytes(of: bigEndian ? value.bigEndian : value.littleEndian) { out.append(contentsOf: $0) }
        }
        put32(nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4); put16(2); put16(minor); put32(0); put32(0); put32(snapshot); put32(1)
        for (seconds, fraction, captured, wire, bytes) in records {
            put32(seconds); put32(fraction); put32(captured); put32(wire)
            out.append(contentsOf: bytes)
        }
        out.append(contentsOf: trailing)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-records-\(UUID().uuidString).pcap")
        try Data(out).write(to: url)
        return url
    }

    /// Enough ordinary Ethernet frames that the file is mapped (larger than any stdio buffer).
    private static func filler(from start: UInt32, count: Int = 120) -> [(UInt32, UInt32, UInt32, UInt32, [UInt8])] {
        (0..<count).map { index in
            let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) }
            return (start + UInt32(index), UInt32(index * 1_000), 1_000, 1_514, bytes)
        }
    }

    private static func compare(_ url: URL, expectInPlace: Bool = true) {
        let direct = read(url.path, inPlace: true)
        let libpcap = read(url.path, inPlace: false)
        #expect(direct == libpcap, "\(url.lastPathComponent): in place \(direct.frames.count) frames, \(direct.ending); libpcap \(libpcap.frames.count), \(libpcap.ending)")
        #expect(libpcap.inPlace == 0)
        #expect(direct.inPlace == (expectInPlace ? 1 : 0))
    }

    /// Both byte orders and both time units, with the records libpcap treats specially among ordinary ones: a
    /// captured length past the snapshot length (libpcap cuts it), a fraction of a second past one second, seconds
    /// past 2^31, a zero-length frame.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func unusualRecordsReadLikeLibpcap(bigEndian: Bool, nanoseconds: Bool) throws {
        let long = [UInt8](repeating: 0xAB, count: 3_000)
        var records = Self.filler(from: 1_700_000_000)
        records.insert((1_700_000_050, 5, 3_000, 3_000, long), at: 10)
        records.insert((1_700_000_060, nanoseconds ? 1_500_000_000 : 2_000_000, 60, 60, [UInt8](repeating: 1, count: 60)), at: 20)
        records.insert((0x9000_0000, 7, 60, 60, [UInt8](repeating: 2, count: 60)), at: 30)
        records.insert((0xFFFF_FFFF, 0xFFFF_FFFF, 60, 60, [UInt8](repeating: 3, count: 60)), at: 40)
        records.insert((1_700_000_070, 9, 0, 60, []), at: 50)
        let url = try Self.file(bigEndian: bigEndian, nanoseconds: nanoseconds, snapshot: 2_000, records: records)
        defer { try? FileManager.default.removeItem(at: url) }
        Self.compare(url)
    }

    /// A file that ends inside a record header, or inside a frame, stops with libpcap's error after the same frames.
    @Test(arguments: [5, 16 + 40])
    func truncatedEndsLikeLibpcap(trailing: Int) throws {
        let partial = [UInt8](repeating: 0x10, count: trailing)
        let url = try Self.file(bigEndian: false, nanoseconds: false, records: Self.filler(from: 1_600_000_000), trailing: partial)
        defer { try? FileManager.default.removeItem(at: url) }
        Self.compare(url)
    }

    /// A header claiming more bytes than a frame may have is libpcap's to refuse.
    @Test func absurdCapturedLengthIsLibpcapsError() throws {
        var records = Self.filler(from: 1_600_000_000)
        records.insert((1_600_000_010, 0, 0x7FFF_FFFF, 60, [UInt8](repeating: 4, count: 60)), at: 100)
        let url = try Self.file(bigEndian: true, nanoseconds: false, records: records)
        defer { try? FileManager.default.removeItem(at: url) }
        Self.compare(url)
    }

    /// Format 2.3 files may have their lengths swapped: libpcap reads every record.
    @Test func oldFormatIsLeftToLibpcap() throws {
        let url = try Self.file(bigEndian: false, nanoseconds: false, minor: 3, records: Self.filler(from: 1_500_000_000))
        defer { try? FileManager.default.removeItem(at: url) }
        Self.compare(url, expectInPlace: false)
    }

    /// Every classic pcap capture of the shared conformance corpora reads the same both ways.
    @Test func conformanceCapturesReadLikeLibpcap() throws {
        guard let folder = SharedConformance.folder else {
            Issue.record("../shared/conformance is absent")
            return
        }
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "pcap" } ?? []
        #expect(files.count > 100)
        var inPlace = 0
        for url in files {
            let direct = Self.read(url.path, inPlace: true)
            let libpcap = Self.read(url.path, inPlace: false)
            #expect(direct == libpcap, "\(url.path)")
            inPlace += direct.inPlace
        }
        // Files under 64 KiB are read through an ordinary stream buffer; the larger ones are mapped.
        #expect(inPlace > 20)
    }
}

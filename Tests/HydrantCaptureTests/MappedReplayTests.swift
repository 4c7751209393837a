import Foundation
import HydrantRecords
import Synchronization
import Testing
@testable import HydrantCapture

/// A replayed pcap file is read by libpcap through a mapping; `PcapSource` locates each frame in it so that
/// `CaptureEngine` reads payloads in place instead of copying them, and gives back only the pages no batch reads.
@Suite struct MappedReplayTests {
    /// A mixed synthetic capture written as a classic pcap file.
    private static func pcapFile(packets: Int, seed: UInt64) throws -> URL {
        var writer = PcapWriter(inMemory: 262_144)
        _ = try MixedScenario(packets: packets, seed: seed).write(to: &writer)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-mapped-\(UUID().uuidString).pcap")
        try Data(writer.memoryContents).write(to: url)
        return url
    }

    /// The same frames as a pcapng file (section header, one Ethernet interface, an enhanced packet block each).
    private static func pcapngFile(frames: [(bytes: [UInt8], time: Int64)]) throws -> URL {
        var out: [UInt8] = []
        func put32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        func put16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        put32(0x0A0D_0D0A); put32(28); put32(0x1A2B_3C4D); put16(1); put16(0)
        put32(0xFFFF_FFFF); put32(0xFFFF_FFFF); put32(28)
        put32(1); put32(20); put16(1); put16(0); put32(262_144); put32(20)
        for (bytes, time) in frames {
            let padded = (bytes.count + 3) / 4 * 4
            let length = UInt32(32 + padded)
            let micros = UInt64(time / 1000)
            put32(6); put32(length); put32(0)
            put32(UInt32(truncatingIfNeeded: micros >> 32)); put32(UInt32(truncatingIfNeeded: micros))
            put32(UInt32(bytes.count)); put32(UInt32(bytes.count))
            out.append(contentsOf: bytes)
            out.append(contentsOf: [UInt8](repeating: 0, count: padded - bytes.count))
            put32(length)
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-mapped-\(UUID().uuidString).pcapng")
        try Data(out).write(to: url)
        return url
    }

    /// Every frame of a classic pcap file is found in the mapping, byte for byte.
    @Test func framesOfAPcapFileAreFoundInTheMapping() throws {
        let url = try Self.pcapFile(packets: 3_000, seed: 5)
        defer { try? FileManager.default.removeItem(at: url) }
        let source = try PcapSource.openFile(url.path)
        let mapping = try #require(source.owner.mapping)
        var frames = 0
        var located = 0
        while case .frame(let frame) = try source.next() {
            frames += 1
            guard let mapped = frame.mapped else { continue }
            #expect(mapped.toOpaque() == Unmanaged.passUnretained(source.owner).toOpaque())
            let inFile = UnsafeRawBufferPointer(rebasing: mapping[frame.mappedOffset..<(frame.mappedOffset + frame.bytes.count)])
            if inFile.elementsEqual(frame.bytes) { located += 1 }
        }
        #expect(frames == 3_000)
        #expect(located == frames)
    }

    /// A pcapng file's frames are not where a pcap record would put them: none is claimed to be in the mapping.
    @Test func pcapngFramesAreNotReadInPlace() throws {
        let source = try Self.pcapFile(packets: 200, seed: 6)
        defer { try? FileManager.default.removeItem(at: source) }
        var frames: [(bytes: [UInt8], time: Int64)] = []
        let reader = try PcapSource.openFile(source.path)
        while case .frame(let frame) = try reader.next() { frames.append((Array(frame.bytes), frame.timestamp.nanoseconds)) }
        let url = try Self.pcapngFile(frames: frames)
        defer { try? FileManager.default.removeItem(at: url) }
        let pcapng = try PcapSource.openFile(url.path)
        var read = 0
        while case .frame(let frame) = try pcapng.next() {
            read += 1
            #expect(frame.mapped == nil)
        }
        #expect(read == frames.count)
    }

    /// The engine reads a mapped file's payloads in place, gets the same records as when every packet is parsed on
    /// the reading thread, and once it is done every page may be given back.
    @Test(arguments: [(64, 2), (8192, 8)])
    func inPlacePayloadsGiveTheSameRecords(batchSize: Int, batchesInFlight: Int) throws {
        let url = try Self.pcapFile(packets: 12_000, seed: 7)
        defer { try? FileManager.default.removeItem(at: url) }
        let expected = try sequentialCaptureRecords(url.path)
        #expect(expected.http.count > 10 && expected.tls.count > 10 && expected.dns.count > 50)

        let collected = Mutex(CaptureRecords())
        let engine = CaptureEngine(batchSize: batchSize, batchesInFlight: batchesInFlight) { batch in
            collected.withLock { $0.append(contentsOf: batch) }
        }
        let source = try PcapSource.openFile(url.path)
        #expect(source.owner.inUseFrom.load(ordering: .relaxed) == Int.max)
        while case .frame(let frame) = try source.next() {
            engine.process(frame, linkType: source.linkType)
        }
        engine.finish()
        let records = collected.withLock { $0 }
        #expect(records.dns == expected.dns)
        #expect(records.http == expected.http)
        #expect(records.tls == expected.tls)
        #expect(records.flows == expected.flows)
        // Every batch is done: nothing of the file is read any more.
        let size = try #require(source.fileSize)
        #expect(source.owner.inUseFrom.load(ordering: .relaxed) == Int(size))
    }
}

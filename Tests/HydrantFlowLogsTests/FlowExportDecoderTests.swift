import Foundation
import HydrantFlowLogs
import HydrantRecords
import Testing

/// The decoder on crafted and damaged datagrams: sequence gaps, sampling, withdrawal, and hostile bytes.
@Suite struct FlowExportDecoderTests {
    static let exporter = IPAddress("192.0.2.7") ?? IPAddress(ipv4: 0)
    static let now = Timestamp(seconds: 1_700_000_000, nanoseconds: 0)

    /// A v5 datagram with `count` records of 10 packets / 1000 bytes each.
    static func v5(sequence: UInt32, count: Int, sampling: UInt16 = 0) -> [UInt8] {
        var d: [UInt8] = []
        func u16(_ v: UInt16) { d += [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }
        u16(5); u16(UInt16(count)); u32(100_000); u32(1_700_000_000); u32(0); u32(sequence); d += [0, 0]; u16(sampling)
        for i in 0..<count {
            u32(0x0A00_0001); u32(0x0A00_0002 + UInt32(i)); u32(0); u16(1); u16(2); u32(10); u32(1000)
            u32(90_000); u32(99_000); u16(1234); u16(80); d += [0, 0x12, 6, 0]; u16(0); u16(0); d += [24, 24, 0, 0]
        }
        return d
    }

    @Test func v5SequenceGapsAndSampling() {
        let decoder = FlowExportDecoder()
        var records: [NetFlowRecord] = []
        decoder.decode(Self.v5(sequence: 0, count: 2), from: Self.exporter, receivedAt: Self.now, into: &records)
        decoder.decode(Self.v5(sequence: 2, count: 1), from: Self.exporter, receivedAt: Self.now, into: &records)
        // Five records (sequence 3 to 7) never arrived.
        decoder.decode(Self.v5(sequence: 8, count: 1, sampling: 0x4000 | 100), from: Self.exporter, receivedAt: Self.now, into: &records)
        let stats = decoder.statistics[Self.exporter]
        #expect(records.count == 4)
        #expect(stats?.sequenceGaps == 1 && stats?.sequenceLost == 5)
        #expect(records[0].sourcePackets == 10 && records[0].sourceBytes == 1000)
        #expect(records[3].sourcePackets == 1000 && records[3].sourceBytes == 100_000 && records[3].samplingInterval == 100)
        // sysUptime 100 000 ms at export; the flow started 10 s and ended 1 s before it.
        #expect(records[0].start == Timestamp(seconds: 1_699_999_990, nanoseconds: 0))
        #expect(records[0].end == Timestamp(seconds: 1_699_999_999, nanoseconds: 0))
        #expect(records[0].sourcePort == 1234 && records[0].destinationPort == 80 && records[0].tcpFlags == 0x12)
    }

    @Test func lyingV5CountIsRejected() {
        let decoder = FlowExportDecoder()
        var records: [NetFlowRecord] = []
        var datagram = Self.v5(sequence: 0, count: 2)
        datagram[3] = 3  // claims three records, holds two
        decoder.decode(datagram, from: Self.exporter, receivedAt: Self.now, into: &records)
        #expect(records.isEmpty)
        #expect(decoder.statistics[Self.exporter]?.malformedDatagrams == 1)
        #expect(decoder.statistics[Self.exporter]?.lastMalformation == .badRecordCount(3, available: 2))
    }

    /// Every conformance datagram, truncated at every length and with bytes flipped, decodes without trapping;
    /// damaged ones are counted.
    @Test func damagedDatagramsNeverCrash() throws {
        guard let folder = Conformance.folder("netflow") else { return }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("dat").path).sorted()
        var generator = SystemRandomNumberGenerator()
        var damaged = 0
        for file in files where file.hasSuffix(".dat") {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent("dat/\(file)")))
            let decoder = FlowExportDecoder()
            var records: [NetFlowRecord] = []
            // Templates first, so that the damaged copies reach the data path too.
            decoder.decode(bytes, from: Self.exporter, receivedAt: Self.now, into: &records)
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 64)) {
                decoder.decode(Array(bytes[0..<length]), from: Self.exporter, receivedAt: Self.now, into: &records)
            }
            for _ in 0..<200 {
                var copy = bytes
                for _ in 0..<4 { copy[Int.random(in: 0..<copy.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
                decoder.decode(copy, from: Self.exporter, receivedAt: Self.now, into: &records)
            }
            let stats = decoder.statistics[Self.exporter] ?? ExporterStatistics()
            damaged += stats.malformedDatagrams + stats.malformedSets
        }
        #expect(damaged > 100)
    }
}

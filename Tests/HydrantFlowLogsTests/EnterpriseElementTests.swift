import Foundation
import HydrantFlowLogs
import HydrantRecords
import Testing

/// Enterprise-specific IPFIX elements kept by number when configured (`keep_enterprise`), skipped by default; and
/// templates forgotten when not refreshed within the template timeout.
@Suite struct EnterpriseElementTests {
    typealias Message = IPFIXTemplateTests.Message
    static let exporter = IPAddress("198.51.100.7") ?? IPAddress(ipv4: 0)
    static let now = Timestamp(seconds: 1_700_000_000, nanoseconds: 0)

    /// Template 310: src v4, dst v4, PEN 9 element 100 (4 bytes), PEN 2636 element 5 (variable length), RFC 5103
    /// reverse octets (PEN 29305, element 1, mapped), PEN 35632 element 7 (8 bytes), octets (8 bytes).
    static var template: [UInt8] {
        var t = Message()
        t.u16(310); t.u16(7)
        t.u16(8); t.u16(4)
        t.u16(12); t.u16(4)
        t.u16(0x8000 | 100); t.u16(4); t.u32(9)
        t.u16(0x8000 | 5); t.u16(0xFFFF); t.u32(2636)
        t.u16(0x8000 | 1); t.u16(8); t.u32(29305)
        t.u16(0x8000 | 7); t.u16(8); t.u32(35632)
        t.u16(1); t.u16(8)
        return Message.set(2, t.bytes)
    }

    static var data: [UInt8] {
        var d = Message()
        d.u32(0x0A00_0001); d.u32(0x0A00_0002)
        d.u32(0xDEAD_BEEF)
        d.u8(10); d.bytes += Array(0..<10)  // 10 bytes: wider than an integer, so hex
        d.u64(777)
        d.u64(0xFFFF_FFFF_FFFF_FFFF)
        d.u64(4_000)
        return Message.set(310, d.bytes)
    }

    static func decode(keep: Bool) throws -> NetFlowRecord {
        var configuration = FlowExportDecoder.Configuration()
        configuration.keepEnterpriseElements = keep
        let decoder = FlowExportDecoder(configuration: configuration)
        var records: [NetFlowRecord] = []
        decoder.decode(Message.message(sequence: 0, sets: [template, data]), from: exporter, receivedAt: now, into: &records)
        #expect(decoder.totals.malformedSets == 0 && decoder.totals.malformedDatagrams == 0)
        return try #require(records.first)
    }

    @Test("enterprise elements are skipped by default; the mapped ones around them still decode")
    func skippedByDefault() throws {
        let record = try Self.decode(keep: false)
        #expect(record.enterpriseElements.isEmpty)
        #expect(record.sourceIP == IPAddress("10.0.0.1") && record.destinationIP == IPAddress("10.0.0.2"))
        #expect(record.sourceBytes == 4_000)
        #expect(record.destinationBytes == 777, "the RFC 5103 reverse element is mapped, not enterprise-kept")
        var encoder = JSONLinesEncoder<NetFlowRecord>()
        var line: [UInt8] = []
        encoder.encode(record, to: &line)
        #expect(!String(decoding: line, as: UTF8.self).contains("enterprise"))
    }

    @Test("keep_enterprise keeps each unmapped element as <pen>.<id>=<value>: decimal up to 8 bytes, else hex")
    func keptByNumber() throws {
        let record = try Self.decode(keep: true)
        #expect(record.enterpriseElements.map(\.text) == [
            "9.100=3735928559", "2636.5=0x00010203040506070809", "35632.7=18446744073709551615",
        ])
        #expect(record.sourceBytes == 4_000 && record.destinationBytes == 777)
        var encoder = JSONLinesEncoder<NetFlowRecord>()
        var line: [UInt8] = []
        encoder.encode(record, to: &line)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        let netflow = try #require(object["netflow"] as? [String: Any])
        #expect(netflow["enterprise"] as? [String] == ["9.100=3735928559", "2636.5=0x00010203040506070809",
                                                       "35632.7=18446744073709551615"])
    }

    @Test("a template not refreshed within the timeout is forgotten: its data is held until it is announced again")
    func templateTimeout() {
        var configuration = FlowExportDecoder.Configuration()
        configuration.templateTimeoutNanoseconds = 60_000_000_000
        let decoder = FlowExportDecoder(configuration: configuration)
        var records: [NetFlowRecord] = []
        decoder.decode(Message.message(sequence: 0, sets: [Self.template]), from: Self.exporter, receivedAt: Self.now, into: &records)
        let within = Timestamp(seconds: 1_700_000_059, nanoseconds: 0)
        decoder.decode(Message.message(sequence: 0, sets: [Self.data]), from: Self.exporter, receivedAt: within, into: &records)
        #expect(records.count == 1)
        let late = Timestamp(seconds: 1_700_000_061, nanoseconds: 0)
        decoder.decode(Message.message(sequence: 1, sets: [Self.data]), from: Self.exporter, receivedAt: late, into: &records)
        #expect(records.count == 1, "data after the timeout waits for the template")
        #expect(decoder.totals.templatesExpired == 1)
        #expect(decoder.totals.pendingSets == 1)
        decoder.decode(Message.message(sequence: 2, sets: [Self.template]), from: Self.exporter, receivedAt: late, into: &records)
        #expect(records.count == 2, "the re-announced template releases the held data")

        // Without a timeout the same template serves data a day later.
        let keeping = FlowExportDecoder()
        var kept: [NetFlowRecord] = []
        keeping.decode(Message.message(sequence: 0, sets: [Self.template]), from: Self.exporter, receivedAt: Self.now, into: &kept)
        keeping.decode(Message.message(sequence: 0, sets: [Self.data]), from: Self.exporter,
                       receivedAt: Timestamp(seconds: 1_700_086_400, nanoseconds: 0), into: &kept)
        #expect(kept.count == 1 && keeping.totals.templatesExpired == 0)
    }
}

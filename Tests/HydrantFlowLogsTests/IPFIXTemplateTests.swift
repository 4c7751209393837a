import HydrantFlowLogs
import HydrantRecords
import Testing

/// IPFIX template handling on crafted messages: held data, withdrawal, variable-length and enterprise fields,
/// options-announced sampling, sysUpTime against the exporter's boot time.
@Suite struct IPFIXTemplateTests {
    static let exporter = IPAddress("198.51.100.9") ?? IPAddress(ipv4: 0)

    /// Builds IPFIX messages in domain 42.
    struct Message {
        var bytes: [UInt8] = []
        mutating func u8(_ v: UInt8) { bytes.append(v) }
        mutating func u16(_ v: UInt16) { bytes += [UInt8(v >> 8), UInt8(v & 0xFF)] }
        mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }
        mutating func u64(_ v: UInt64) { u32(UInt32(v >> 32)); u32(UInt32(v & 0xFFFF_FFFF)) }

        /// Wraps sets into a message with `sequence`.
        static func message(sequence: UInt32, sets: [[UInt8]]) -> [UInt8] {
            var m = Message()
            let body = sets.flatMap { $0 }
            m.u16(10); m.u16(UInt16(16 + body.count)); m.u32(1_700_000_000); m.u32(sequence); m.u32(42)
            return m.bytes + body
        }

        /// A set with its header.
        static func set(_ id: UInt16, _ content: [UInt8]) -> [UInt8] {
            var m = Message()
            m.u16(id); m.u16(UInt16(4 + content.count))
            return m.bytes + content
        }
    }

    /// Template 300: src v4, dst v4, an enterprise element (PEN 9999, variable length), octets (4 bytes, reduced
    /// size), packets, protocol, flowStartSysUpTime, flowEndMilliseconds.
    static var template: [UInt8] {
        var t = Message()
        t.u16(300); t.u16(8)
        t.u16(8); t.u16(4)
        t.u16(12); t.u16(4)
        t.u16(0x8000 | 77); t.u16(0xFFFF); t.u32(9999)
        t.u16(1); t.u16(4)
        t.u16(2); t.u16(8)
        t.u16(4); t.u16(1)
        t.u16(22); t.u16(4)
        t.u16(153); t.u16(8)
        return Message.set(2, t.bytes)
    }

    static func data(records: Int) -> [UInt8] {
        var d = Message()
        for i in 0..<records {
            d.u32(0xC000_0201); d.u32(0xC000_0202 + UInt32(i))
            d.u8(3); d.bytes += [0x61, 0x62, 0x63]  // the enterprise field, 3 bytes
            d.u32(1500); d.u64(3); d.u8(17)
            d.u32(5_000)  // 5 s after boot
            d.u64(1_700_000_000_123)
        }
        return Message.set(300, d.bytes)
    }

    /// Options template 400 (scope: observationDomainId) with systemInitTimeMilliseconds and samplingPacketInterval/Space.
    static var options: [UInt8] {
        var t = Message()
        t.u16(400); t.u16(4); t.u16(1)
        t.u16(149); t.u16(4)
        t.u16(160); t.u16(8)
        t.u16(305); t.u16(4)
        t.u16(306); t.u16(4)
        var d = Message()
        d.u32(42); d.u64(1_699_990_000_000); d.u32(1); d.u32(9)
        return Message.set(3, t.bytes) + Message.set(400, d.bytes)
    }

    @Test func heldDataIsDecodedWhenItsTemplateArrives() {
        let decoder = FlowExportDecoder()
        var records: [NetFlowRecord] = []
        let now = Timestamp(seconds: 1_700_000_000, nanoseconds: 0)
        decoder.decode(Message.message(sequence: 0, sets: [Self.data(records: 2)]), from: Self.exporter, receivedAt: now, into: &records)
        #expect(records.isEmpty)
        decoder.decode(Message.message(sequence: 2, sets: [Self.options, Self.template]), from: Self.exporter, receivedAt: now, into: &records)
        #expect(records.count == 2)
        let stats = decoder.statistics[Self.exporter]
        #expect(stats?.pendingSets == 1 && stats?.pendingRecordsReleased == 2 && stats?.malformedSets == 0)
        decoder.decode(Message.message(sequence: 3, sets: [Self.data(records: 1)]), from: Self.exporter, receivedAt: now, into: &records)
        #expect(records.count == 3)
        let last = records[2]
        // Sampling 1 in (1 + 9) from the options data scales the counters.
        #expect(last.samplingInterval == 10 && last.sourceBytes == 15_000 && last.sourcePackets == 30)
        #expect(last.sourceIP == IPAddress("192.0.2.1") && last.destinationIP == IPAddress("192.0.2.2") && last.ianaNumber == 17)
        #expect(last.start == Timestamp(nanoseconds: 1_699_990_005_000_000_000))
        #expect(last.end == Timestamp(nanoseconds: 1_700_000_000_123_000_000))
    }

    @Test func withdrawnTemplatesStopDecodingAndGapsAreCounted() {
        let decoder = FlowExportDecoder()
        var records: [NetFlowRecord] = []
        let now = Timestamp(seconds: 1_700_000_000, nanoseconds: 0)
        decoder.decode(Message.message(sequence: 0, sets: [Self.template, Self.data(records: 3)]), from: Self.exporter, receivedAt: now, into: &records)
        #expect(records.count == 3)
        var withdrawal = Message()
        withdrawal.u16(300); withdrawal.u16(0)
        // Sequence 10 where 3 was expected: 7 records lost.
        decoder.decode(Message.message(sequence: 10, sets: [Message.set(2, withdrawal.bytes), Self.data(records: 1)]),
                       from: Self.exporter, receivedAt: now, into: &records)
        #expect(records.count == 3)
        let stats = decoder.statistics[Self.exporter]
        #expect(stats?.templateWithdrawals == 1 && stats?.pendingSets == 1)
        #expect(stats?.sequenceGaps == 1 && stats?.sequenceLost == 7)
        // Held data older than the bound is dropped.
        decoder.decode(Message.message(sequence: 11, sets: []), from: Self.exporter,
                       receivedAt: Timestamp(seconds: 1_700_000_100, nanoseconds: 0), into: &records)
        #expect(decoder.statistics[Self.exporter]?.pendingSetsDropped == 1)
    }

    @Test func lyingLengthsAreCounted() {
        let decoder = FlowExportDecoder()
        var records: [NetFlowRecord] = []
        let now = Timestamp(seconds: 1_700_000_000, nanoseconds: 0)
        var message = Message.message(sequence: 0, sets: [Self.template, Self.data(records: 1)])
        message[3] &+= 1  // message length one past the datagram
        decoder.decode(message, from: Self.exporter, receivedAt: now, into: &records)
        #expect(decoder.statistics[Self.exporter]?.lastMalformation == .badMessageLength(declared: message.count + 1, actual: message.count))
        var badTemplate = Message()
        badTemplate.u16(12); badTemplate.u16(1); badTemplate.u16(8); badTemplate.u16(4)  // template id below 256
        decoder.decode(Message.message(sequence: 0, sets: [Message.set(2, badTemplate.bytes)]), from: Self.exporter, receivedAt: now, into: &records)
        #expect(decoder.statistics[Self.exporter]?.lastMalformation == .badTemplate(id: 12))
        #expect(records.isEmpty)
    }
}

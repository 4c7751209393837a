import HydrantFlowLogs
import HydrantRecords
import HydrantTestSupport
import Testing

/// The collector's hand-written `flowlog.netflow` encoder writes the same bytes as the field-table encoder (which
/// `JSONLineBufferTests` checks against a plain reference): on thousands of seeded random records with every optional
/// field present and absent and extreme values, one record at a time and in batches that grow the buffer.
@Suite struct NetFlowLineEncoderTests {
    private static func integer(_ random: inout SeededGenerator) -> Int64 {
        switch random.next() % 8 {
        case 0: return .min
        case 1: return .max
        case 2: return 0
        case 3: return -Int64(random.next() % 1000)
        case 4: return Int64(random.next() % 10)
        case 5: return Int64(bitPattern: random.next())
        default: return Int64(random.next() % 100_000)
        }
    }

    private static func maybe<T>(_ random: inout SeededGenerator, _ make: (inout SeededGenerator) -> T) -> T? {
        random.next() % 2 == 0 ? nil : make(&random)
    }

    private static func address(_ random: inout SeededGenerator) -> IPAddress {
        switch random.next() % 6 {
        case 0: return IPAddress(ipv4: 0)
        case 1: return IPAddress(ipv4: .max)
        case 2: return IPAddress(ipv6High: 0, low: 0)
        case 3: return IPAddress(ipv6High: .max, low: .max)
        case 4: return IPAddress(ipv6High: random.next(), low: random.next() % 3 == 0 ? 0 : random.next())
        default: return IPAddress(ipv4: UInt32(truncatingIfNeeded: random.next()))
        }
    }

    private static func time(_ random: inout SeededGenerator) -> Timestamp {
        switch random.next() % 6 {
        case 0: return Timestamp(nanoseconds: .min)
        case 1: return Timestamp(nanoseconds: .max)
        case 2: return Timestamp(nanoseconds: -Int64(random.next() % 5_000_000_000))
        case 3: return Timestamp(seconds: 1_704_067_200 + Int64(random.next() % 3), nanoseconds: Int64(random.next() % 4) * 250_000_000)
        default: return Timestamp(nanoseconds: Int64(bitPattern: random.next()))
        }
    }

    private static func text(_ random: inout SeededGenerator) -> String {
        let pieces = ["", "collector-1", "a \"quoted\" name", "back\\slash", "tab\there", "\u{7f}", "\u{1}", "é", "🚦", "\n"]
        var text = ""
        for _ in 0..<(random.next() % 4) { text += pieces[Int(random.next() % UInt64(pieces.count))] }
        return text
    }

    private static func record(_ random: inout SeededGenerator) -> NetFlowRecord {
        var r = NetFlowRecord(version: UInt16(truncatingIfNeeded: random.next()), exporterIP: address(&random),
                              observationDomain: random.next() % 2 == 0 ? .max : UInt32(truncatingIfNeeded: random.next()),
                              exportTime: time(&random))
        r.start = time(&random)
        if random.next() % 4 != 0 { r.end = time(&random) }
        r.ingested = maybe(&random) { time(&$0) }
        r.observerName = maybe(&random) { text(&$0) }
        r.sourceIP = address(&random)
        r.sourcePort = maybe(&random) { UInt16(truncatingIfNeeded: $0.next()) }
        r.destinationIP = address(&random)
        r.destinationPort = maybe(&random) { $0.next() % 2 == 0 ? .max : UInt16(truncatingIfNeeded: $0.next()) }
        let protocols: [UInt8] = [1, 6, 17, 58, 132, 0, 255, 47]
        r.ianaNumber = protocols[Int(random.next() % 8)]
        if random.next() % 4 == 0 { r.ianaNumber = UInt8(truncatingIfNeeded: random.next()) }
        r.vlanID = maybe(&random) { UInt16(truncatingIfNeeded: $0.next()) }
        r.innerVLANID = maybe(&random) { UInt16(truncatingIfNeeded: $0.next()) }
        r.kind = random.next() % 2 == 0 ? .unidirectional : .bidirectional
        r.sourceBytes = maybe(&random) { integer(&$0) }
        r.sourcePackets = maybe(&random) { integer(&$0) }
        r.destinationBytes = maybe(&random) { integer(&$0) }
        r.destinationPackets = maybe(&random) { integer(&$0) }
        let directions: [NetFlowDirection?] = [nil, .ingress, .egress]
        r.flowDirection = directions[Int(random.next() % 3)]
        r.inputInterface = maybe(&random) { integer(&$0) }
        r.outputInterface = maybe(&random) { integer(&$0) }
        r.nextHop = maybe(&random) { address(&$0) }
        r.bgpNextHop = maybe(&random) { address(&$0) }
        r.sourceAS = maybe(&random) { integer(&$0) }
        r.destinationAS = maybe(&random) { integer(&$0) }
        r.tcpFlags = maybe(&random) { integer(&$0) }
        r.tos = maybe(&random) { integer(&$0) }
        r.icmpType = maybe(&random) { UInt8(truncatingIfNeeded: $0.next()) }
        r.icmpCode = maybe(&random) { UInt8(truncatingIfNeeded: $0.next()) }
        r.samplingInterval = maybe(&random) { integer(&$0) }
        if random.next() % 5 == 0 {
            r.enterpriseElements = (0..<(1 + random.next() % 3)).map { _ in
                NetFlowEnterpriseElement(enterprise: UInt32(truncatingIfNeeded: random.next()), id: UInt16(truncatingIfNeeded: random.next()),
                                         bytes: (0..<(1 + random.next() % 12)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            }
        }
        return r
    }

    private static func generic(_ records: [NetFlowRecord]) -> (bytes: [UInt8], ends: [Int]) {
        var encoder = JSONLinesEncoder<NetFlowRecord>()
        let buffer = JSONLineBuffer(capacity: 64)
        var ends: [Int] = []
        records.withUnsafeBufferPointer { encoder.encode($0, into: buffer, ends: &ends) }
        return (buffer.bytes, ends)
    }

    @Test func randomRecordsEncodeToTheFieldTableEncodersBytes() {
        var random = SeededGenerator(seed: 20_261_127)
        var encoder = NetFlowLineEncoder()
        for round in 0..<40 {
            let records = (0..<100).map { _ in Self.record(&random) }
            let expected = Self.generic(records)
            // A small buffer, so that the batch grows inside it many times.
            let buffer = JSONLineBuffer(capacity: 64)
            var ends: [Int] = []
            records.withUnsafeBufferPointer { encoder.encode($0, into: buffer, ends: &ends) }
            #expect(ends == expected.ends, "round \(round)")
            guard buffer.bytes != expected.bytes else { continue }
            // Name the first record that differs, with both lines.
            var start = 0
            for (index, end) in expected.ends.enumerated() {
                let want = String(decoding: expected.bytes[start..<end], as: UTF8.self)
                let got = String(decoding: buffer.bytes[min(start, buffer.count)..<min(end, buffer.count)], as: UTF8.self)
                if want != got {
                    Issue.record("round \(round), record \(index):\n  field table: \(want)\n  hand-written: \(got)")
                    break
                }
                start = end
            }
        }
    }

    @Test func recordsOfOneTemplateEncodeAlikeOneAtATimeAndInABatch() {
        var random = SeededGenerator(seed: 7)
        var template = Self.record(&random)
        template.observerName = nil
        template.enterpriseElements = []
        var records: [NetFlowRecord] = []
        for n in 0..<3000 {
            var r = template
            r.sourceIP = IPAddress(ipv4: 0x0A00_0000 &+ UInt32(n) &* 2_654_435_761)
            r.sourcePort = UInt16(truncatingIfNeeded: n)
            r.start = Timestamp(seconds: 1_704_067_200 + Int64(n / 1000), nanoseconds: Int64(n) * 1_000_000)
            r.end = Timestamp(nanoseconds: r.start.nanoseconds + Int64(n) * 999)
            r.sourceBytes = Int64(n) * 1500
            records.append(r)
        }
        var encoder = NetFlowLineEncoder()
        let single = JSONLineBuffer(capacity: 64)
        for record in records { encoder.encode(record, into: single) }
        let batch = JSONLineBuffer(capacity: 64)
        var ends: [Int] = []
        records.withUnsafeBufferPointer { encoder.encode($0, into: batch, ends: &ends) }
        let expected = Self.generic(records)
        #expect(single.bytes == expected.bytes)
        #expect(batch.bytes == expected.bytes)
        #expect(ends == expected.ends)
    }

    /// The encoder reserves a fixed amount before each record and writes every field but the strings without
    /// checking for room: the longest line without strings must fit in it with a wide margin.
    @Test func theLongestLineWithoutStringsFitsTheRoomReservedPerRecord() throws {
        var r = NetFlowRecord(version: .max, exporterIP: IPAddress(ipv6High: .max, low: .max), observationDomain: .max,
                              exportTime: Timestamp(nanoseconds: .min))
        let widest = try #require(IPAddress("1111:2222:3333:4444:5555:6666:7777:8888"))
        r.start = Timestamp(nanoseconds: .min)
        r.end = Timestamp(nanoseconds: .max)
        r.ingested = Timestamp(nanoseconds: .min)
        r.sourceIP = widest
        r.destinationIP = widest
        r.exporterIP = widest
        r.nextHop = widest
        r.bgpNextHop = widest
        r.sourcePort = .max
        r.destinationPort = .max
        r.ianaNumber = 255
        r.vlanID = .max
        r.innerVLANID = .max
        r.kind = .bidirectional
        r.sourceBytes = .min
        r.sourcePackets = .min
        r.destinationBytes = .min
        r.destinationPackets = .min
        r.flowDirection = .ingress
        r.inputInterface = .min
        r.outputInterface = .min
        r.sourceAS = .min
        r.destinationAS = .min
        r.tcpFlags = .min
        r.tos = .min
        r.icmpType = .max
        r.icmpCode = .max
        r.samplingInterval = .min
        var encoder = NetFlowLineEncoder()
        let buffer = JSONLineBuffer(capacity: 64)
        encoder.encode(r, into: buffer)
        #expect(buffer.count < 1600, "\(buffer.count) bytes")
        #expect(buffer.bytes == Self.generic([r]).bytes)
    }
}

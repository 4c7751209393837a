import HydrantRecords
import HydrantTestSupport
import Testing
@testable import HydrantCapture

@Suite struct DNSAddressTextTests {
    /// The table of recent answer addresses gives each address's own text: 50,000 seeded IPv4 and IPv6 addresses
    /// drawn from a pool of 2,000 (so most are found, and slots change hands all the time), IPv4 addresses next to
    /// IPv6 addresses of the same low bits, against `description`.
    @Test func givesEachAddressItsOwnText() {
        var random = HydrantTestSupport.SeededGenerator(seed: 0xadd7_e47)
        var transactions = DNSTransactions(configuration: ApplicationConfiguration())
        var pool: [IPAddress] = []
        for _ in 0..<1_000 {
            let value = UInt32(truncatingIfNeeded: random.next())
            pool.append(IPAddress(ipv4: value))
            // The IPv6 address whose bits are the IPv4 one's: equal high and low, another address.
            pool.append(random.chance(50) ? IPAddress(ipv6High: 0, low: UInt64(value))
                                          : IPAddress(ipv6High: random.next(), low: random.next()))
        }
        for _ in 0..<50_000 {
            let address = pool[random.below(pool.count)]
            #expect(transactions.addressText(address) == address.description)
        }
    }
}

@Suite struct RecentStringsTests {
    /// Whatever the table holds, a text comes back as the String of its bytes: 30,000 seeded texts from a pool of 300
    /// (ASCII, UTF-8, bytes that are not UTF-8, empty, past the longest kept) in four slots.
    @Test func givesTheStringOfTheBytes() {
        var random = HydrantTestSupport.SeededGenerator(seed: 0x57a1_95)
        let strings = RecentStrings(slots: 4, longest: 24)
        let pool: [[UInt8]] = (0..<300).map { index in
            let length = index % 37
            return (0..<length).map { _ in
                switch random.below(10) {
                case 0: return 0xff
                case 1: return 0xc3
                case 2: return 0xa9
                default: return UInt8(0x61 + random.below(3))
                }
            }
        }
        for _ in 0..<30_000 {
            let bytes = pool[random.below(pool.count)]
            let text = bytes.withUnsafeBytes { strings.string($0) }
            #expect(text == String(decoding: bytes, as: UTF8.self), "\(bytes)")
        }
    }
}

/// A one-answer response's record takes its answer lists from tables shared by every record of the same address,
/// type and TTL; other responses build their own. Either way each record's lists are those of its own answers.
@Suite struct DNSAnswerListsTests {
    private static func datagram(_ payload: [UInt8], time: Int64, client: UInt32, fromClient: Bool,
                                 into analyzer: ApplicationAnalyzer) {
        var packet = DecodedPacket()
        packet.timestamp = Timestamp(nanoseconds: time)
        let clientAddress = IPAddress(ipv4: client)
        let server = IPAddress(ipv4: 0x0A00_0035)
        packet.source = fromClient ? clientAddress : server
        packet.destination = fromClient ? server : clientAddress
        packet.sourcePort = fromClient ? 40_000 : 53
        packet.destinationPort = fromClient ? 53 : 40_000
        packet.hasPorts = true
        packet.ianaNumber = 17
        packet.payloadLength = payload.count
        payload.withUnsafeBytes { bytes in
            packet.payload = bytes
            _ = analyzer.analyze(packet)
        }
    }

    /// 6,000 seeded responses (with and without their query) of zero to three answers: A and AAAA addresses drawn
    /// from a pool larger than the address table, TTLs from a pool larger than the TTL table, CNAMEs and TXT; each
    /// record's lists against its response's answers read afresh.
    @Test func listsAreTheResponsesOwn() throws {
        var random = HydrantTestSupport.SeededGenerator(seed: 0xa115_7e57)
        let analyzer = ApplicationAnalyzer()
        let addresses: [IPAddress] = (0..<2_000).map { index in
            index % 3 == 0 ? IPAddress(ipv6High: 0x2001_0db8_0000_0000 | random.next() >> 48, low: random.next())
                           : IPAddress(ipv4: UInt32(truncatingIfNeeded: random.next()))
        }
        var expected: [(data: [String], types: [String], ttls: [Int64], resolved: [String])] = []
        var time: Int64 = 1_700_000_000_000_000_000
        for index in 0..<6_000 {
            time += 1_000_000
            let id = UInt16(truncatingIfNeeded: index)
            let client = 0x0A01_0000 | UInt32(index % 300)
            let name = "host\(random.below(50)).example.com"
            let ttl = UInt32(random.below(4_000)) * (random.chance(10) ? 1_000_000 : 1)
            let response: [UInt8]
            let type: UInt16
            switch random.below(4) {
            case 0:
                type = DNSTextResponseBuilder.typeTXT
                response = DNSTextResponseBuilder.response(
                    id: id, name: name, texts: (0..<(1 + random.below(2))).map { "v=\($0) \(random.below(9))" }, ttl: ttl)
            default:
                type = random.chance(50) ? DNSMessageBuilder.typeA : DNSMessageBuilder.typeAAAA
                let count = random.below(3)
                let picked = (0..<8).map { _ in addresses[random.below(addresses.count)] }
                    .filter { $0.isIPv6 == (type == DNSMessageBuilder.typeAAAA) }.prefix(count)
                response = DNSMessageBuilder.response(
                    id: id, name: name, type: type, canonicalName: random.chance(20) ? "edge.example.net" : nil,
                    addresses: Array(picked), ttl: ttl, responseCode: random.chance(5) ? DNSMessageBuilder.nameError : 0,
                    edns: random.chance(50))
            }
            if random.chance(70) {
                Self.datagram(DNSMessageBuilder.query(id: id, name: name, type: type, edns: false), time: time,
                              client: client, fromClient: true, into: analyzer)
            }
            Self.datagram(response, time: time + 500_000, client: client, fromClient: false, into: analyzer)
            let answers = try DNSMessage(parsing: response).answers
            expected.append((answers.map(\.data.presentation), answers.map { DNSNames.typeName($0.type) },
                             answers.map { Int64($0.ttl) },
                             answers.compactMap { answer -> String? in
                                 switch answer.data {
                                 case .a(let address), .aaaa(let address): return address.description
                                 default: return nil
                                 }
                             }))
        }
        var records = CaptureRecords()
        analyzer.flush()
        analyzer.takeRecords(into: &records)
        try #require(records.dns.count == expected.count)
        var single = 0
        for (record, want) in zip(records.dns, expected) {
            #expect(record.answerData == want.data)
            #expect(record.answerTypes == want.types)
            #expect(record.answerTTLs == want.ttls)
            #expect(record.resolvedIPs == want.resolved)
            if want.data.count == 1 { single += 1 }
        }
        // Both paths taken.
        #expect(single > 1_000 && single < expected.count - 1_000)
    }
}

import Foundation
import Testing
@testable import HydrantCapture
import HydrantRecords

/// Synthetic captures: determinism, pcap framing, checksums, DNS validity, protocol mix, third-party reading.
@Suite struct SynthTests {
    // MARK: - Determinism and framing

    @Test func sameSeedGivesSameBytesAndOtherSeedDiffers() throws {
        let a = try SynthTests.capture(packets: 3_000, seed: 7)
        let b = try SynthTests.capture(packets: 3_000, seed: 7)
        let c = try SynthTests.capture(packets: 3_000, seed: 8)
        #expect(a == b)
        #expect(a != c)
    }

    @Test(arguments: [0, 1, 2, 3, 17, 2_000, 25_000])
    func writesExactlyTheRequestedPacketCount(packets: Int) throws {
        let file = try TestPcap(try SynthTests.capture(packets: packets, seed: 1))
        #expect(file.records.count == packets)
    }

    @Test func fileIsValidPcapWithIncreasingTimestamps() throws {
        let bytes = try SynthTests.capture(packets: 5_000, seed: 3)
        // Header: nanosecond magic, little-endian, version 2.4, Ethernet.
        #expect(Array(bytes[0..<4]) == [0x4d, 0x3c, 0xb2, 0xa1])
        let file = try TestPcap(bytes)
        #expect(file.versionMajor == 2 && file.versionMinor == 4)
        #expect(file.linkType == 1)
        #expect(file.snapLength == 262_144)
        var previous: Int64 = 0
        for record in file.records {
            #expect(record.frame.count == record.originalLength)
            #expect(record.frame.count >= 54 && record.frame.count <= 1_514)
            #expect(record.time > previous)
            previous = record.time
        }
        let first = try #require(file.records.first).time
        #expect(first == MixedScenario.epoch.nanoseconds)
    }

    @Test func captureRateIsAFewThousandPacketsPerSecond() throws {
        let file = try TestPcap(try SynthTests.capture(packets: 100_000, seed: 1))
        let seconds = Double((file.records.last?.time ?? 0) - (file.records.first?.time ?? 0)) / 1e9
        let rate = 100_000 / seconds
        #expect(rate > 1_500 && rate < 6_000, "rate \(rate) packets/s over \(seconds) s")
    }

    @Test(arguments: [("mixed-2k.pcap", 2_000), ("mixed-200.pcap", 200)])
    func committedSampleCapturesMatchTheGenerator(file: String, packets: Int) throws {
        // captures/README.md lists the command of each sample; a generator change must regenerate them.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("captures/\(file)").path
        let committed = try #require(FileManager.default.contents(atPath: path), "\(path) is missing")
        #expect(Array(committed) == (try SynthTests.capture(packets: packets, seed: 1)),
                "captures/\(file) is stale: regenerate it with the command in captures/README.md")
    }

    // MARK: - Checksums and lengths

    @Test func ipAndTransportChecksumsAndLengthsAreCorrect() throws {
        let file = try TestPcap(try SynthTests.capture(packets: 20_000, seed: 5))
        var checkedIPv4 = 0
        var checkedTransport = 0
        for record in file.records {
            let packet = try #require(TestFrame(record.frame))
            if !packet.isIPv6 {
                #expect(SynthTests.checksum(packet.ipHeader) == 0, "IPv4 header checksum")
                checkedIPv4 += 1
            }
            #expect(packet.ipLength <= record.frame.count - 14)
            #expect(record.frame.count == max(14 + packet.ipLength, packet.padded ? 60 : 0))
            if packet.protocolNumber == 17 {
                #expect(Int(packet.load16(packet.transport, 4)) == packet.transport.count, "UDP length")
            }
            #expect(packet.transportChecksumIsValid, "transport checksum, protocol \(packet.protocolNumber)")
            checkedTransport += 1
        }
        #expect(checkedIPv4 > 15_000)
        #expect(checkedTransport == 20_000)
    }

    @Test func checksumMatchesRFC1071Example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
        var sum = InternetChecksum()
        [UInt8]([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]).withUnsafeBytes { sum.add($0) }
        #expect(sum.value == ~UInt16(0xddf2))
        var odd = InternetChecksum()
        [UInt8]([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7, 0x01]).withUnsafeBytes { odd.add($0) }
        #expect(odd.value == ~UInt16(0xdef2))
    }

    // MARK: - Application payloads

    @Test func dnsMessagesAreValidAndAnswersMatchQueries() throws {
        let file = try TestPcap(try SynthTests.capture(packets: 20_000, seed: 11))
        var queries: [UInt32: String] = [:]  // client port << 16 | id → question name
        var responses = 0
        var nxdomain = 0
        var cnames = 0
        for record in file.records {
            guard let packet = TestFrame(record.frame), packet.protocolNumber == 17 else { continue }
            let sourcePort = packet.load16(packet.transport, 0)
            let destinationPort = packet.load16(packet.transport, 2)
            guard sourcePort == 53 || destinationPort == 53 else { continue }
            let message = Array(packet.transport.dropFirst(8))
            let parsed = try DNSChecker.parse(message)
            let key = UInt32(sourcePort == 53 ? destinationPort : sourcePort) << 16 | UInt32(parsed.id)
            if destinationPort == 53 {
                #expect(!parsed.isResponse && parsed.answers.isEmpty && parsed.questions.count == 1)
                queries[key] = parsed.questions.first
            } else {
                #expect(parsed.isResponse)
                #expect(queries[key] == parsed.questions.first, "response matches an earlier query")
                responses += 1
                if parsed.responseCode == 3 { nxdomain += 1 }
                if parsed.answers.contains(where: { $0 == DNSMessageBuilder.typeCNAME }) { cnames += 1 }
            }
        }
        #expect(responses > 200)
        #expect(nxdomain > 5)
        #expect(cnames > 5)
    }

    @Test func tlsClientHelloCarriesServerName() throws {
        let file = try TestPcap(try SynthTests.capture(packets: 10_000, seed: 2))
        var names: [String] = []
        for record in file.records {
            guard let packet = TestFrame(record.frame), packet.protocolNumber == 6,
                  packet.load16(packet.transport, 2) == 443 else { continue }
            let payload = Array(packet.transport.dropFirst(Int(packet.transportByte(12) >> 4) * 4))
            guard payload.count > 5, payload[0] == 22, payload[5] == 1 else { continue }
            let recordLength = Int(payload[3]) << 8 | Int(payload[4])
            #expect(recordLength + 5 == payload.count, "ClientHello in one segment, exact record length")
            let name = try #require(SynthTests.serverName(inClientHello: payload))
            names.append(name)
        }
        #expect(names.count > 50)
        #expect(names.allSatisfy { $0.hasSuffix(".example.com") || $0.hasSuffix(".example.net")
            || $0.hasSuffix(".example.org") })
    }

    @Test func httpRequestsAndResponsesAreWellFormed() throws {
        let file = try TestPcap(try SynthTests.capture(packets: 20_000, seed: 4))
        var requests = 0
        var responses = 0
        for record in file.records {
            guard let packet = TestFrame(record.frame), packet.protocolNumber == 6 else { continue }
            let payload = Array(packet.transport.dropFirst(Int(packet.transportByte(12) >> 4) * 4))
            let text = String(decoding: payload.prefix(16), as: UTF8.self)
            if text.hasPrefix("GET ") || text.hasPrefix("POST ") {
                let head = String(decoding: payload, as: UTF8.self)
                #expect(head.contains(" HTTP/1.1\r\nHost: "))
                #expect(head.contains("\r\n\r\n"))
                requests += 1
            } else if text.hasPrefix("HTTP/1.1 ") {
                let head = String(decoding: payload, as: UTF8.self)
                #expect(head.contains("\r\nContent-Length: "))
                #expect(head.contains("\r\nDate: ") && head.contains(" GMT\r\n"))
                responses += 1
            }
        }
        #expect(requests > 20)
        #expect(responses > 20)
    }

    @Test func mixHasTCPUDPICMPAndIPv6() throws {
        let file = try TestPcap(try SynthTests.capture(packets: 50_000, seed: 1))
        var counts: [String: Int] = [:]
        var syn = 0, synAck = 0, rstAck = 0, fin = 0, smallFrames = 0, fullFrames = 0
        for record in file.records {
            let packet = try #require(TestFrame(record.frame))
            if packet.isIPv6 { counts["ipv6", default: 0] += 1 }
            switch packet.protocolNumber {
            case 6:
                counts["tcp", default: 0] += 1
                let flags = packet.transportByte(13)
                if flags == 0x02 { syn += 1 }
                if flags == 0x12 { synAck += 1 }
                if flags == 0x14 { rstAck += 1 }
                if flags & 0x01 != 0 { fin += 1 }
            case 17: counts["udp", default: 0] += 1
            case 1: counts["icmp", default: 0] += 1
            case 58: counts["icmpv6", default: 0] += 1
            default: counts["other", default: 0] += 1
            }
            if record.frame.count <= 80 { smallFrames += 1 }
            if record.frame.count >= 1_400 { fullFrames += 1 }
        }
        let ipv6Share = Double(counts["ipv6", default: 0]) / 50_000
        #expect(ipv6Share > 0.04 && ipv6Share < 0.2, "IPv6 share \(ipv6Share)")
        #expect(counts["tcp", default: 0] > 35_000)
        #expect(counts["udp", default: 0] > 1_000)
        #expect(counts["icmp", default: 0] > 50)
        #expect(counts["icmpv6", default: 0] > 0)
        #expect(counts["other", default: 0] == 0)
        #expect(syn > synAck, "some SYNs go unanswered or are rejected")
        #expect(rstAck > 50)
        #expect(fin > 500)
        #expect(smallFrames > 10_000 && fullFrames > 5_000)
    }

    // MARK: - Building blocks

    @Test func pcapWriterWritesExactRecords() throws {
        var writer = PcapWriter(inMemory: 64)
        try writer.write(Array(repeating: 0xab, count: 100), timestamp: Timestamp(seconds: 1, nanoseconds: 5))
        let bytes = writer.memoryContents
        #expect(bytes.count == 24 + 16 + 64)
        #expect(Array(bytes[16..<24]) == [64, 0, 0, 0, 1, 0, 0, 0])  // snaplen 64, Ethernet
        #expect(Array(bytes[24..<40]) == [1, 0, 0, 0, 5, 0, 0, 0, 64, 0, 0, 0, 100, 0, 0, 0])
        #expect(throws: PcapWriterError.self) {
            try writer.write([1, 2, 3], timestamp: Timestamp(nanoseconds: -1))
        }
    }

    @Test func pcapWriterReportsUnwritablePath() {
        #expect(throws: PcapWriterError.self) {
            _ = try PcapWriter(path: "/nonexistent-directory/x.pcap")
        }
    }

    @Test func seededGeneratorIsDeterministicAndInRange() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        var c = SeededGenerator(seed: 43)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        var g = SeededGenerator(seed: 1)
        for bound in [1, 2, 3, 7, 1_000, 65_536] {
            for _ in 0..<200 { #expect((0..<bound).contains(g.uniform(below: bound))) }
        }
        var sum = 0.0
        for _ in 0..<20_000 { sum += g.exponential(mean: 2) }
        #expect(abs(sum / 20_000 - 2) < 0.1)
        for x in [1.0, 0.9, 0.5, 0.1, 1e-6, 1e-300] {
            #expect(abs(SeededGenerator.naturalLog(x) - Foundation.log(x)) < 1e-9 * max(1, abs(Foundation.log(x))))
        }
    }

    @Test func packetBuilderPadsShortFramesAndKeepsIPLength() {
        var builder = PacketBuilder()
        let addressing = FrameAddressing(sourceMAC: 1, destinationMAC: 2, source: IPAddress(ipv4: 0x0a00_0001),
                                         destination: IPAddress(ipv4: 0x0a00_0002), padToMinimumFrame: true)
        builder.tcp(addressing, sourcePort: 1, destinationPort: 2, sequence: 0, acknowledgment: 0,
                    flags: TCPFlags.ack, window: 100)
        #expect(builder.length == 60)
        #expect(builder.ipLength == 40)
        let frame = builder.frame
        #expect(Int(frame[16]) << 8 | Int(frame[17]) == 40)
        #expect(frame[54..<60].allSatisfy { $0 == 0 })
    }

    // MARK: - Third-party reader

    @Test(.enabled(if: SynthTests.executable("capinfos") != nil || SynthTests.executable("tshark") != nil,
                   "neither tshark nor capinfos is installed (apt-get install -y tshark)"))
    func wiresharkReadsTheCaptureAndCountsEveryPacket() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("hydrant-synth-\(ProcessInfo.processInfo.processIdentifier).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var writer = try PcapWriter(path: path)
        try MixedScenario(packets: 5_000, seed: 9).write(to: &writer)
        try writer.close()

        if let tshark = SynthTests.executable("tshark") {
            let stats = try SynthTests.run(tshark, ["-r", path, "-q", "-z", "io,stat,0"])
            // The one interval row: "| 0.000 <> 1.234 |   5000 | 3456789 |".
            let row = stats.split(separator: "\n").first { $0.contains("<>") }
            let frames = row.map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
            #expect(frames?.count ?? 0 >= 3 && frames?[1] == "5000", "tshark io,stat: \(stats)")
            // Nothing malformed, no TCP sequence gaps or unseen ACKs, no bad checksums.
            let expert = try SynthTests.run(tshark, ["-r", path, "-q", "-z", "expert",
                                                     "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                                                     "-o", "udp.check_checksum:TRUE"])
            for problem in ["Malformed", "Bad checksum", "previous segment", "unseen segment", "Out-Of-Order",
                            "Dup ACK", "Checksum"] {
                #expect(!expert.localizedCaseInsensitiveContains(problem), "tshark expert: \(problem)\n\(expert)")
            }
        }
        if let capinfos = SynthTests.executable("capinfos") {
            let info = try SynthTests.run(capinfos, ["-c", "-M", path])
            #expect(info.contains("Number of packets:   5000"), "capinfos: \(info)")
        }
    }
}

// MARK: - Helpers

extension SynthTests {
    /// The bytes of a `mixed` capture written in memory.
    static func capture(packets: Int, seed: UInt64) throws -> [UInt8] {
        var writer = PcapWriter(inMemory: 262_144)
        try MixedScenario(packets: packets, seed: seed).write(to: &writer)
        return writer.memoryContents
    }

    /// The RFC 1071 sum over `bytes` (0 when a header including its checksum verifies).
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var sum = InternetChecksum()
        Array(bytes).withUnsafeBytes { sum.add($0) }
        return sum.value
    }

    /// The SNI host name of a ClientHello record.
    static func serverName(inClientHello record: [UInt8]) -> String? {
        var i = 5 + 4 + 2 + 32  // record header, handshake header, version, random
        guard i < record.count else { return nil }
        i += 1 + Int(record[i])  // session id
        guard i + 2 <= record.count else { return nil }
        i += 2 + (Int(record[i]) << 8 | Int(record[i + 1]))  // cipher suites
        guard i < record.count else { return nil }
        i += 1 + Int(record[i])  // compression methods
        guard i + 2 <= record.count else { return nil }
        let end = i + 2 + (Int(record[i]) << 8 | Int(record[i + 1]))
        guard end == record.count else { return nil }
        i += 2
        while i + 4 <= end {
            let type = Int(record[i]) << 8 | Int(record[i + 1])
            let length = Int(record[i + 2]) << 8 | Int(record[i + 3])
            if type == 0, i + 9 <= end {
                let nameLength = Int(record[i + 7]) << 8 | Int(record[i + 8])
                guard i + 9 + nameLength <= end else { return nil }
                return String(decoding: record[(i + 9)..<(i + 9 + nameLength)], as: UTF8.self)
            }
            i += 4 + length
        }
        return nil
    }

    /// The path of an executable found on PATH (or in /usr/bin, /usr/sbin).
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a program and returns its standard output and error.
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A classic pcap file parsed strictly: any inconsistency throws.
struct TestPcap {
    struct Record {
        var time: Int64
        var originalLength: Int
        var frame: [UInt8]
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    var versionMajor = 0
    var versionMinor = 0
    var snapLength = 0
    var linkType = 0
    var records: [Record] = []

    init(_ bytes: [UInt8]) throws {
        func u32(_ at: Int) -> Int {
            Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        guard bytes.count >= 24, u32(0) == 0xa1b2_3c4d else { throw Invalid(description: "bad file header") }
        versionMajor = u32(4) & 0xffff
        versionMinor = u32(4) >> 16
        snapLength = u32(16)
        linkType = u32(20)
        var offset = 24
        while offset < bytes.count {
            guard offset + 16 <= bytes.count else { throw Invalid(description: "truncated record header") }
            let seconds = u32(offset), nanoseconds = u32(offset + 4)
            let captured = u32(offset + 8), original = u32(offset + 12)
            guard nanoseconds < 1_000_000_000, captured <= snapLength, captured <= original,
                  offset + 16 + captured <= bytes.count else {
                throw Invalid(description: "bad record at offset \(offset)")
            }
            records.append(Record(time: Int64(seconds) * 1_000_000_000 + Int64(nanoseconds), originalLength: original,
                                  frame: Array(bytes[(offset + 16)..<(offset + 16 + captured)])))
            offset += 16 + captured
        }
    }
}

/// Just enough Ethernet/IP decoding to check the generator's output.
struct TestFrame {
    var isIPv6: Bool
    var ipHeader: ArraySlice<UInt8>
    var ipLength: Int
    var protocolNumber: UInt8
    var transport: ArraySlice<UInt8>
    var padded: Bool
    private var pseudoHeaderSum: UInt64

    init?(_ frame: [UInt8]) {
        guard frame.count >= 34 else { return nil }
        let etherType = Int(frame[12]) << 8 | Int(frame[13])
        var sum: UInt64 = 0
        func add(_ bytes: ArraySlice<UInt8>) {
            var i = bytes.startIndex
            while i + 1 < bytes.endIndex { sum += UInt64(bytes[i]) << 8 | UInt64(bytes[i + 1]); i += 2 }
        }
        if etherType == 0x0800 {
            let headerLength = Int(frame[14] & 0x0f) * 4
            ipLength = Int(frame[16]) << 8 | Int(frame[17])
            guard frame[14] >> 4 == 4, headerLength == 20, 14 + ipLength <= frame.count else { return nil }
            isIPv6 = false
            ipHeader = frame[14..<34]
            protocolNumber = frame[23]
            transport = frame[34..<(14 + ipLength)]
            add(frame[26..<34])
            if protocolNumber != 1 { sum += UInt64(protocolNumber) + UInt64(transport.count) }
            else { sum = 0 }
        } else if etherType == 0x86dd {
            guard frame.count >= 54, frame[14] >> 4 == 6 else { return nil }
            let payloadLength = Int(frame[18]) << 8 | Int(frame[19])
            ipLength = 40 + payloadLength
            guard 14 + ipLength <= frame.count else { return nil }
            isIPv6 = true
            ipHeader = frame[14..<54]
            protocolNumber = frame[20]
            transport = frame[54..<(14 + ipLength)]
            add(frame[22..<54])
            sum += UInt64(protocolNumber) + UInt64(transport.count)
        } else {
            return nil
        }
        padded = frame.count > 14 + ipLength
        pseudoHeaderSum = sum
    }

    func transportByte(_ offset: Int) -> UInt8 {
        transport[transport.startIndex + offset]
    }

    func load16(_ bytes: ArraySlice<UInt8>, _ offset: Int) -> UInt16 {
        UInt16(bytes[bytes.startIndex + offset]) << 8 | UInt16(bytes[bytes.startIndex + offset + 1])
    }

    var transportChecksumIsValid: Bool {
        var sum = InternetChecksum()
        sum.add(UInt16(truncatingIfNeeded: pseudoHeaderSum))
        sum.add(UInt16(truncatingIfNeeded: pseudoHeaderSum >> 16))
        sum.add(UInt16(truncatingIfNeeded: pseudoHeaderSum >> 32))
        Array(transport).withUnsafeBytes { sum.add($0) }
        return sum.value == 0
    }
}

/// A strict, independent DNS message checker (RFC 1035 §4): counts, names, compression, record lengths.
enum DNSChecker {
    struct Message {
        var id: UInt16
        var isResponse: Bool
        var responseCode: Int
        var questions: [String]
        var answers: [UInt16]  // record types
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ m: [UInt8]) throws -> Message {
        guard m.count >= 12 else { throw Invalid(description: "short header") }
        func u16(_ at: Int) throws -> Int {
            guard at + 2 <= m.count else { throw Invalid(description: "read past end at \(at)") }
            return Int(m[at]) << 8 | Int(m[at + 1])
        }
        let flags = try u16(2)
        let counts = try (u16(4), u16(6), u16(8), u16(10))
        var offset = 12
        var questions: [String] = []
        for _ in 0..<counts.0 {
            questions.append(try name(m, at: &offset))
            let klass = try u16(offset + 2)
            guard klass == 1 else { throw Invalid(description: "question class \(klass)") }
            offset += 4
        }
        var answers: [UInt16] = []
        for index in 0..<(counts.1 + counts.2 + counts.3) {
            let owner = try name(m, at: &offset)
            let type = try u16(offset)
            let rdLength = try u16(offset + 8)
            offset += 10
            guard offset + rdLength <= m.count else { throw Invalid(description: "rdata past end") }
            switch type {
            case 1: guard rdLength == 4 else { throw Invalid(description: "A rdlength \(rdLength)") }
            case 28: guard rdLength == 16 else { throw Invalid(description: "AAAA rdlength \(rdLength)") }
            case 5:
                var inner = offset
                _ = try name(m, at: &inner)
                guard inner == offset + rdLength else { throw Invalid(description: "CNAME rdlength") }
            case 41:
                guard owner.isEmpty, index >= counts.1 + counts.2 else { throw Invalid(description: "OPT placement") }
            default: throw Invalid(description: "unexpected type \(type)")
            }
            if index < counts.1 { answers.append(UInt16(type)) }
            offset += rdLength
        }
        guard offset == m.count else { throw Invalid(description: "\(m.count - offset) trailing bytes") }
        return Message(id: UInt16(try u16(0)), isResponse: flags & 0x8000 != 0, responseCode: flags & 0x0f,
                       questions: questions, answers: answers)
    }

    /// Reads a (possibly compressed) name at `offset`, advancing past it; pointers must point backwards.
    static func name(_ m: [UInt8], at offset: inout Int) throws -> String {
        var labels: [String] = []
        var position = offset
        var jumped = false
        var length = 0
        var hops = 0
        while true {
            guard position < m.count else { throw Invalid(description: "name past end") }
            let byte = Int(m[position])
            if byte == 0 {
                if !jumped { offset = position + 1 }
                break
            }
            if byte & 0xc0 == 0xc0 {
                guard position + 1 < m.count else { throw Invalid(description: "pointer past end") }
                let target = (byte & 0x3f) << 8 | Int(m[position + 1])
                guard target < position, hops < 16 else { throw Invalid(description: "bad pointer") }
                if !jumped { offset = position + 2 }
                jumped = true
                hops += 1
                position = target
                continue
            }
            guard byte <= 63, position + 1 + byte <= m.count else { throw Invalid(description: "bad label") }
            labels.append(String(decoding: m[(position + 1)..<(position + 1 + byte)], as: UTF8.self))
            length += byte + 1
            guard length <= 255 else { throw Invalid(description: "name too long") }
            position += 1 + byte
        }
        return labels.joined(separator: ".")
    }
}

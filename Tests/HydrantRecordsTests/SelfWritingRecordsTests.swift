import HydrantTestSupport
import Testing
@testable import HydrantRecords

/// Records that write themselves (`DatasetRecord.writeJSONFields`) must give byte for byte the line the field table's
/// walk gives: checked on seeded random records in which every optional field is known or not, strings need escapes
/// or not, lists are empty, shared between records (the encoder's list memo) or made fresh, addresses are IPv4 or
/// IPv6, and VLAN ids are present or not. Records are encoded one after another through one encoder of each kind, so
/// the memo and the date cache carry state from record to record as in a run.
@Suite struct SelfWritingRecordsTests {
    /// Seeded (SplitMix64), so a failure repeats.
    private typealias Random = SeededGenerator

    /// The line of each record from both encoders, compared.
    private func expectSameLines<Record: DatasetRecord>(_ records: [Record]) {
        var direct = JSONLinesEncoder<Record>()
        var walked = JSONLinesEncoder<Record>(recordsWriteThemselves: false)
        var mismatches = 0
        for record in records {
            var fast: [UInt8] = []
            var reference: [UInt8] = []
            direct.encode(record, to: &fast)
            walked.encode(record, to: &reference)
            if fast != reference {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("""
                        \(Record.dataset.rawValue) differs:
                        direct: \(String(decoding: fast, as: UTF8.self))
                        table:  \(String(decoding: reference, as: UTF8.self))
                        """)
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func dnsRecordsWriteWhatTheFieldTableWrites() {
        var random = Random(seed: 0xd45)
        // A few flag lists shared by many records, as `DNSMessage.headerFlagNames` hands them out.
        let sharedFlags = [["RD"], ["RD", "RA"], ["AA", "RD", "RA"], [], ["TC"], ["RD", "RA", "AD", "CD"]]
        var records: [DNSRecord] = []
        for _ in 0..<20_000 {
            var record = DNSRecord(timestamp: random.timestamp(), connection: random.connection(),
                                   id: UInt16(random.below(65536)))
            record.questionName = random.maybeText(90)
            record.questionRegisteredDomain = random.maybeText(60)
            record.questionSubdomain = random.maybeText(40)
            record.questionType = random.maybeText(80)
            record.questionClass = random.maybeText(80)
            record.responseCode = random.maybeText(60)
            record.headerFlags = random.chance(80) ? sharedFlags[random.below(sharedFlags.count)] : random.texts()
            record.answerData = random.texts()
            record.answerTypes = random.texts()
            record.answerTTLs = random.ints()
            record.resolvedIPs = random.texts()
            record.duration = random.chance(60) ? Int64(random.below(1_000_000_000)) : nil
            records.append(record)
        }
        // Every question member unknown (the object is left out) and every list empty.
        records.append(DNSRecord(timestamp: random.timestamp(), connection: random.connection(), id: 0))
        expectSameLines(records)
    }

    @Test func httpRecordsWriteWhatTheFieldTableWrites() {
        var random = Random(seed: 0x477)
        var records: [HTTPRecord] = []
        for _ in 0..<20_000 {
            var record = HTTPRecord(timestamp: random.timestamp(), connection: random.connection(),
                                    method: random.text(), version: random.text(), target: random.text())
            record.domain = random.maybeText()
            record.path = random.maybeText()
            record.userAgent = random.maybeText()
            record.referrer = random.maybeText(30)
            record.requestBodyBytes = random.chance(30) ? Int64(random.below(100_000)) : nil
            record.statusCode = random.chance(80) ? Int64(100 + random.below(500)) : nil
            record.responseMimeType = random.maybeText(50)
            record.responseBodyBytes = random.chance(50) ? Int64(random.below(1_000_000)) : nil
            record.duration = random.chance(70) ? Int64(random.below(1_000_000_000)) : nil
            records.append(record)
        }
        expectSameLines(records)
    }

    @Test func tlsRecordsWriteWhatTheFieldTableWrites() {
        var random = Random(seed: 0x715)
        // Cipher and version lists shared by many handshakes, as the fingerprint cache hands them out.
        let sharedCiphers = (0..<6).map { _ in random.texts() }
        let sharedVersions = [["1.3", "1.2"], ["1.2"], [], ["1.0", "1.1", "1.2"]]
        var records: [TLSRecord] = []
        for _ in 0..<20_000 {
            var record = TLSRecord(timestamp: random.timestamp(), connection: random.connection(), ja3: random.text(),
                                   ja4: random.text())
            record.serverName = random.maybeText()
            record.version = random.maybeText(60)
            record.cipher = random.maybeText(60)
            record.nextProtocol = random.maybeText(50)
            record.ja3s = random.maybeText(60)
            record.supportedCiphers = random.chance(80) ? sharedCiphers[random.below(sharedCiphers.count)] : random.texts()
            record.offeredVersions = random.chance(80) ? sharedVersions[random.below(sharedVersions.count)] : random.texts()
            record.extensions = random.ints()
            records.append(record)
        }
        expectSameLines(records)
    }
}

/// Generators of the record fields these tests vary.
private extension SeededGenerator {
    /// Short and long texts, some needing escapes (quote, backslash, control bytes, DEL) or holding UTF-8.
    mutating func text() -> String {
        let pieces = ["a", "example", "www.example.com", "NOERROR", "\"", "\\", "\t", "\u{7f}", "é", "x y",
                      "0123456789abcdef0123456789", "\u{1}", "TLS_AES_128_GCM_SHA256"]
        var text = ""
        for _ in 0..<(1 + below(4)) { text += pieces[below(pieces.count)] }
        return text
    }
    mutating func maybeText(_ percent: Int = 70) -> String? { chance(percent) ? text() : nil }
    mutating func texts() -> [String] { (0..<below(5)).map { _ in text() } }
    mutating func ints() -> [Int64] {
        (0..<below(5)).map { _ in chance(20) ? Int64.min + Int64(below(3)) : Int64(below(1_000_000)) - 1000 }
    }

    mutating func address() -> IPAddress {
        chance(70) ? IPAddress(ipv4: UInt32(truncatingIfNeeded: next()))
            : IPAddress(ipv6High: chance(50) ? 0xfe80 << 48 : next(), low: chance(50) ? 1 : next())
    }

    mutating func timestamp() -> Timestamp {
        // A few seconds apart or across days, so the encoder's cache of the last two seconds is hit and missed.
        Timestamp(nanoseconds: 1_700_000_000_000_000_000 + Int64(below(4)) * 86_400_000_000_000
                    + Int64(below(3)) * 1_000_000_000 + Int64(below(1_000_000_000)))
    }

    mutating func connection() -> Connection {
        var connection = Connection(sourceIP: address(), sourcePort: chance(90) ? UInt16(below(65536)) : nil,
                                    destinationIP: address(), destinationPort: chance(90) ? UInt16(below(65536)) : nil,
                                    ianaNumber: [6, 17, 1, 58, 132, 47][below(6)],
                                    vlanID: chance(30) ? UInt16(below(4096)) : nil,
                                    innerVLANID: chance(20) ? UInt16(below(4096)) : nil,
                                    communityID: chance(90) ? "1:" + text() : nil,
                                    observerName: maybeText(30))
        if chance(20) { connection.ingested = timestamp() }
        return connection
    }
}

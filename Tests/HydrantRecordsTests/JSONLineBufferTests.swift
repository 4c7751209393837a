import Foundation
import Testing
@testable import HydrantRecords

/// The pointer-backed encoder against a plain reference: growth of the buffer at and inside records, strings far
/// beyond the reserved estimate, escapes, and every digit and timestamp form, byte for byte.
@Suite struct JSONLineBufferTests {
    /// The line the field table describes, built the slow and obvious way: the dotted names grouped recursively,
    /// each value boxed by `read` and written by `appendJSON`, objects with no known value left out.
    static func referenceLine<Record: DatasetRecord>(_ record: Record) -> [UInt8] {
        let entries = Record.fields.map { (path: $0.name.split(separator: ".").map(String.init), field: $0) }
        func object(_ members: [(path: [String], field: FieldDescriptor<Record>)], level: Int) -> [UInt8]? {
            var order: [String] = []
            var groups: [String: [(path: [String], field: FieldDescriptor<Record>)]] = [:]
            for member in members {
                let name = member.path[level]
                if groups[name] == nil { order.append(name) }
                groups[name, default: []].append(member)
            }
            var out: [UInt8] = [UInt8(ascii: "{")]
            var written = 0
            for name in order {
                let group = groups[name] ?? []
                var value: [UInt8] = []
                if group.count == 1, group[0].path.count == level + 1 {
                    guard let read = group[0].field.read(record) else { continue }
                    appendJSON(read, to: &value)
                } else {
                    guard let nested = object(group.filter { $0.path.count > level + 1 }, level: level + 1) else { continue }
                    value = nested
                }
                if written > 0 { out.append(UInt8(ascii: ",")) }
                appendJSONString(name, to: &out)
                out.append(UInt8(ascii: ":"))
                out += value
                written += 1
            }
            if written == 0 && level > 0 { return nil }
            out.append(UInt8(ascii: "}"))
            return out
        }
        return (object(entries, level: 0) ?? []) + [UInt8(ascii: "\n")]
    }

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    private func flow(_ n: Int) throws -> FlowRecord {
        var flow = FlowRecord(start: Timestamp(nanoseconds: 1_700_000_000_000_000_000 + Int64(n) * 333_333_333),
                              end: Timestamp(nanoseconds: 1_700_000_000_000_000_000 + Int64(n) * 777_777_777),
                              action: .timeout, sourceIP: IPAddress(ipv4: UInt32(truncatingIfNeeded: 0x0A00_0000 &+ n * 977)),
                              sourcePort: UInt16(truncatingIfNeeded: n * 31),
                              destinationIP: try #require(IPAddress(n % 2 == 0 ? "2001:db8::\(n % 65535)" : "::ffff:1.2.3.4")),
                              destinationPort: n % 3 == 0 ? nil : 443, ianaNumber: UInt8(truncatingIfNeeded: n))
        flow.sourceBytes = Int64(n) * 1_000_003
        flow.sourcePackets = -Int64(n)
        flow.destinationBytes = n % 5 == 0 ? .max : .min
        flow.destinationPackets = Int64(n % 10)
        flow.vlanID = n % 4 == 0 ? UInt16(n % 4096) : nil
        flow.state = n % 2 == 0 ? "SF" : nil
        return flow
    }

    @Test func everyDatasetMatchesTheReferenceByteForByte() throws {
        var flows = JSONLinesEncoder<FlowRecord>()
        for n in 0..<200 {
            let record = try flow(n)
            var line: [UInt8] = []
            flows.encode(record, to: &line)
            #expect(Self.text(line) == Self.text(Self.referenceLine(record)))
        }
        let connection = Connection(sourceIP: try #require(IPAddress("192.0.2.7")), sourcePort: 5353,
                                    destinationIP: try #require(IPAddress("fe80::1")), destinationPort: 53, ianaNumber: 17,
                                    vlanID: 12, innerVLANID: 3, communityID: "1:abc=")
        let time = Timestamp(seconds: -1, nanoseconds: 5)  // before the epoch
        var dns = DNSRecord(timestamp: time, connection: connection, id: 4660)
        dns.questionName = "tab\there.example.\u{7f}"
        dns.headerFlags = ["RD", "RA"]
        dns.answerData = ["192.0.2.1", "quote\"back\\slash", ""]
        dns.answerTTLs = [60, -1, .min]
        var dnsEncoder = JSONLinesEncoder<DNSRecord>()
        var line: [UInt8] = []
        dnsEncoder.encode(dns, to: &line)
        #expect(Self.text(line) == Self.text(Self.referenceLine(dns)))

        var http = HTTPRecord(timestamp: time, connection: connection, method: "GET", version: "1.1", target: "/x?y=\"z\"")
        http.statusCode = 200
        http.userAgent = String(repeating: "Mozilla/5.0 ", count: 50) + "\u{1}é漢"
        var httpEncoder = JSONLinesEncoder<HTTPRecord>()
        line = []
        httpEncoder.encode(http, to: &line)
        #expect(Self.text(line) == Self.text(Self.referenceLine(http)))

        var tls = TLSRecord(timestamp: time, connection: connection, ja3: "abc", ja4: "t13d")
        tls.extensions = [0, 10, 65281]
        tls.supportedCiphers = ["TLS_AES_128_GCM_SHA256"]
        var tlsEncoder = JSONLinesEncoder<TLSRecord>()
        line = []
        tlsEncoder.encode(tls, to: &line)
        #expect(Self.text(line) == Self.text(Self.referenceLine(tls)))

        var alert = AlertRecord(timestamp: time, id: "a1", kind: .correlation, ruleID: "r", ruleName: "n\"1\"", count: 3,
                                windowStart: Timestamp(nanoseconds: .min), windowEnd: Timestamp(nanoseconds: .max))
        alert.tags = ["attack.t1046", "x\ny"]
        alert.communityIDs = ["1:a", "1:b"]
        alert.sourceIP = try #require(IPAddress("::"))
        var alertEncoder = JSONLinesEncoder<AlertRecord>()
        line = []
        alertEncoder.encode(alert, to: &line)
        #expect(Self.text(line) == Self.text(Self.referenceLine(alert)))
    }

    @Test func growsAtRecordBoundariesWithoutChangingTheLines() throws {
        // A buffer far smaller than one record: every record makes it grow, some in the middle of a string.
        let buffer = JSONLineBuffer(capacity: 64)
        var encoder = JSONLinesEncoder<FlowRecord>()
        var expected: [UInt8] = []
        var ends: [Int] = []
        var records: [FlowRecord] = []
        for n in 0..<500 {
            var record = try flow(n)
            record.history = String(repeating: "Sh", count: n)  // lines of growing length
            records.append(record)
            expected += Self.referenceLine(record)
            encoder.encode(record, into: buffer)
            ends.append(buffer.count)
        }
        #expect(buffer.bytes == expected)
        #expect(buffer.capacity >= buffer.count)
        // The batch form writes the same lines and reports the same ends.
        let batch = JSONLineBuffer(capacity: 64)
        var batchEnds: [Int] = []
        records.withUnsafeBufferPointer { encoder.encode($0, into: batch, ends: &batchEnds) }
        #expect(batch.bytes == expected)
        #expect(batchEnds == ends)
    }

    @Test func stringsLongerThanTheReservedEstimateGrowTheBufferAndItShrinksBack() throws {
        var record = try flow(1)
        // 3 MiB of bytes that all need escaping: 18 MiB once written, far past the record's fixed estimate.
        let hostile = String(decoding: (0..<(3 << 20)).map { UInt8($0 % 32) }, as: UTF8.self)
        record.observerName = hostile
        let buffer = JSONLineBuffer(capacity: 1024)
        var encoder = JSONLinesEncoder<FlowRecord>()
        encoder.encode(record, into: buffer)
        let expected = Self.referenceLine(record)
        #expect(buffer.count == expected.count)
        #expect(buffer.bytes == expected)
        #expect(buffer.capacity > JSONLineBuffer.retainedCapacity)
        buffer.removeAll()
        #expect(buffer.capacity == 1024, "an oversized record's memory is given back")
        encoder.encode(try flow(2), into: buffer)
        #expect(buffer.bytes == Self.referenceLine(try flow(2)))
    }

    @Test func escapesEveryByteThatJSONForbidsAndNothingElse() {
        var all = Array(UInt8(0)...UInt8(0x7f))
        all += Array("é漢😀".utf8)
        // Lengths around the 8-byte scan: the special byte at each position of a word, and in the tail.
        for length in 0..<all.count {
            let prefix = String(decoding: all.prefix(length), as: UTF8.self)
            let suffix = String(decoding: all.suffix(length), as: UTF8.self)
            for sample in [prefix, suffix] {
                var expected: [UInt8] = [UInt8(ascii: "\"")]
                for byte in sample.utf8 {
                    switch byte {
                    case UInt8(ascii: "\""): expected += Array(#"\""#.utf8)
                    case UInt8(ascii: "\\"): expected += Array(#"\\"#.utf8)
                    case 0x0a: expected += Array(#"\n"#.utf8)
                    case 0x0d: expected += Array(#"\r"#.utf8)
                    case 0x09: expected += Array(#"\t"#.utf8)
                    case 0..<0x20, 0x7f: expected += Array(String(format: "\\u%04x", byte).utf8)
                    default: expected.append(byte)
                    }
                }
                expected.append(UInt8(ascii: "\""))
                let buffer = JSONLineBuffer(capacity: 64)
                var cursor = JSONCursor(buffer, reserving: 0)
                cursor.string(sample, more: 0)
                cursor.finish()
                #expect(buffer.bytes == expected, "\(sample.debugDescription)")
                var appended: [UInt8] = []
                appendJSONString(sample, to: &appended)
                #expect(appended == expected)
            }
        }
        #expect(JSONCursor.firstEscape(in: Array("abcdefgh\u{7f}".utf8), count: 9) == 8)
        #expect(JSONCursor.firstEscape(in: Array("abcdefg\u{7f}i".utf8), count: 9) == 7)
    }

    /// `firstEscape`'s rule, one byte at a time.
    private static func firstEscapeByteByByte(_ bytes: [UInt8]) -> Int {
        bytes.firstIndex { $0 < 0x20 || $0 == 0x7f || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") } ?? bytes.count
    }

    @Test func firstEscapeFindsEveryByteValueAtEveryPositionOfShortStringsWordsAndTails() {
        // Lengths below a word (gathered lanes), whole words and partial last words (the overlapping tail), past two
        // words. Around the byte under test, the clean bytes next to the special ones (where a borrow could raise a
        // wrong flag), high bytes and plain letters.
        let fills: [UInt8] = [0x20, 0x21, 0x23, 0x41, 0x5b, 0x5d, 0x7e, 0x80, 0xa2, 0xdc, 0xff]
        for length in 1...26 {
            for fill in fills {
                var bytes = [UInt8](repeating: fill, count: length)
                #expect(bytes.withUnsafeBufferPointer { JSONCursor.firstEscape(in: $0.baseAddress!, count: length) } == length)
                for position in 0..<length {
                    for value in 0...255 {
                        bytes[position] = UInt8(value)
                        let found = bytes.withUnsafeBufferPointer { JSONCursor.firstEscape(in: $0.baseAddress!, count: length) }
                        if found != Self.firstEscapeByteByByte(bytes) {
                            Issue.record("length \(length), fill \(fill), byte \(value) at \(position): \(found)")
                        }
                    }
                    bytes[position] = fill
                }
            }
        }
    }

    @Test func firstEscapeFindsTheFirstOfTwoSpecialBytes() {
        // A later special byte (or its borrow) must not hide or move the first: every pair of positions, with
        // special and almost-special values.
        let values: [UInt8] = [0x00, 0x01, 0x0a, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7e, 0x7f, 0x80, 0xff]
        for length in 2...20 {
            for first in 0..<length {
                for second in (first + 1)..<length {
                    for a in values {
                        for b in values {
                            var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                            bytes[first] = a
                            bytes[second] = b
                            let found = bytes.withUnsafeBufferPointer { JSONCursor.firstEscape(in: $0.baseAddress!, count: length) }
                            if found != Self.firstEscapeByteByByte(bytes) {
                                Issue.record("length \(length): \(a) at \(first), \(b) at \(second): \(found)")
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func randomStringsEscapeAsByteByByte() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            // Mostly clean bytes, so that escapes land anywhere, including the tail.
            let bytes = (0..<length).map { _ in
                Int.random(in: 0..<8, using: &generator) == 0 ? UInt8.random(in: 0...255, using: &generator)
                    : UInt8.random(in: 0x23...0x5b, using: &generator)
            }
            let found = bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map { JSONCursor.firstEscape(in: $0, count: length) } ?? 0
            }
            #expect(found == Self.firstEscapeByteByByte(bytes), "\(bytes)")
        }
    }

    @Test func sharedListsAreWrittenFromTheMemoAsTheyWouldBeAfresh() throws {
        // Six lists shared by many records (more than the memo keeps per field), one rewritten in place while
        // shared, a list made per record, and an empty one: every line as the reference writes it.
        let connection = Connection(sourceIP: try #require(IPAddress("192.0.2.7")), sourcePort: 40000,
                                    destinationIP: try #require(IPAddress("192.0.2.8")), destinationPort: 443, ianaNumber: 6)
        var shared: [[String]] = (0..<6).map { n in (0...n).map { "TLS_SUITE_\($0)_\(n)" } }
        shared[5][0] = "with \"quote\" and \u{1}"
        let sharedInts: [[Int64]] = (0..<5).map { n in (0...n).map { Int64($0) * 1_000_003 - Int64(n) } }
        var encoder = JSONLinesEncoder<TLSRecord>()
        var line: [UInt8] = []
        for n in 0..<200 {
            var record = TLSRecord(timestamp: Timestamp(nanoseconds: Int64(n)), connection: connection, ja3: "j", ja4: "k")
            record.supportedCiphers = shared[(n * 7) % 6]
            record.offeredVersions = n % 3 == 0 ? [] : n % 3 == 1 ? ["1.3", "1.2"] : ["v\(n)"]
            record.extensions = sharedInts[n % 5]
            if n == 100 {
                // The memo holds the old storage, so the shared list is copied before this write.
                shared[2].append("TLS_LATE")
            }
            if n % 50 == 0 { record.supportedCiphers.append("TLS_ONCE") }
            line.removeAll()
            encoder.encode(record, to: &line)
            #expect(Self.text(line) == Self.text(Self.referenceLine(record)), "record \(n)")
        }
    }

    @Test func integersMatchTheirDecimalText() {
        var values: [Int64] = [0, 1, 9, 10, 11, 99, 100, 101, .max, .min, .min + 1, -1, -9, -10, -99, -100]
        var power: Int64 = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -power, -(power - 1)]
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 { values.append(Int64.random(in: .min ... .max, using: &generator) >> Int64.random(in: 0...63)) }
        let buffer = JSONLineBuffer(capacity: 64)
        for value in values {
            buffer.removeAll()
            var cursor = JSONCursor(buffer, reserving: JSONCursor.integerBound)
            cursor.integer(value)
            cursor.finish()
            #expect(Self.text(buffer.bytes) == String(value))
            #expect(buffer.count <= JSONCursor.integerBound)
        }
    }

    @Test func timestampsMatchTheRFC3339FormOfEverySecondDayAndYear() {
        var times: [Int64] = [0, -1, 1, 999_999_999, 1_000_000_000, -1_000_000_000, -999_999_999, .max, .min,
                              951_782_400_000_000_000 - 1, 951_782_400_000_000_000]  // 2000-02-29
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 { times.append(Int64.random(in: .min ... .max, using: &generator)) }
        // Runs within one second, across midnight and across a year, as a batch's records come.
        var t: Int64 = 1_704_067_199_000_000_000  // 2023-12-31T23:59:59Z
        for _ in 0..<3_000 {
            times.append(t)
            t += Int64.random(in: 0...2_000_000, using: &generator)
        }
        // Whole milliseconds (written with the six zeros at once), before and after the epoch, and their neighbours.
        for _ in 0..<3_000 {
            let milliseconds = Int64.random(in: -4_000_000_000_000 ... 9_000_000_000_000, using: &generator) * 1_000_000
            times.append(milliseconds)
            times.append(milliseconds + 1)
            times.append(milliseconds - 1)
            times.append(milliseconds + 1_000)
        }
        let buffer = JSONLineBuffer(capacity: 64)
        var cache = RFC3339SecondCache()
        for nanoseconds in times {
            buffer.removeAll()
            var cursor = JSONCursor(buffer, reserving: JSONCursor.timestampBound)
            cursor.timestamp(Timestamp(nanoseconds: nanoseconds), cache: &cache)
            cursor.finish()
            #expect(Self.text(buffer.bytes) == "\"\(Timestamp(nanoseconds: nanoseconds).rfc3339)\"", "\(nanoseconds)")
        }
    }

    @Test func addressesMatchTheirCanonicalText() throws {
        var addresses = [IPAddress(ipv4: 0), IPAddress(ipv4: .max), IPAddress(ipv4: 0x0A09_6301),
                         IPAddress(ipv6High: 0, low: 0), IPAddress(ipv6High: .max, low: .max)]
        // Every octet value in every position, beside values of each other digit count (octets are written four
        // bytes at a time from a table).
        for value in UInt32(0)...255 {
            addresses.append(IPAddress(ipv4: value << 24 | (255 - value) << 16 | (value % 10) << 8 | value / 3))
            addresses.append(IPAddress(ipv4: (value / 7) << 24 | value << 16 | (value % 100) << 8 | (255 - value)))
            addresses.append(IPAddress(ipv4: (value % 10) << 24 | (value / 2) << 16 | value << 8 | (value % 100)))
            addresses.append(IPAddress(ipv4: (255 - value) << 24 | (value % 100) << 16 | (value % 10) << 8 | value))
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            addresses.append(IPAddress(ipv4: UInt32.random(in: 0 ... .max, using: &generator)))
            // Zero groups make the `::` cases.
            addresses.append(IPAddress(ipv6High: UInt64.random(in: 0 ... .max, using: &generator) & 0xFFFF_0000_FFFF_0000,
                                       low: UInt64.random(in: 0 ... .max, using: &generator) & 0x0000_FFFF_0000_FFFF))
        }
        let buffer = JSONLineBuffer(capacity: 64)
        var scratch: [UInt8] = []
        for address in addresses {
            buffer.removeAll()
            var cursor = JSONCursor(buffer, reserving: JSONCursor.ipBound)
            cursor.ip(address, scratch: &scratch)
            cursor.finish()
            var expected: [UInt8] = []
            address.appendText(to: &expected)
            #expect(Self.text(buffer.bytes) == "\"" + Self.text(expected) + "\"")
            #expect(buffer.count <= JSONCursor.ipBound)
        }
    }

    @Test func copiesOfAnEncoderDoNotShareTheirLineScratch() throws {
        let template = JSONLinesEncoder<FlowRecord>()
        var first = template
        var second = template
        var a: [UInt8] = []
        var b: [UInt8] = []
        first.encode(try flow(3), to: &a)
        second.encode(try flow(4), to: &b)
        first.encode(try flow(5), to: &a)
        #expect(a == Self.referenceLine(try flow(3)) + Self.referenceLine(try flow(5)))
        #expect(b == Self.referenceLine(try flow(4)))
    }
}

import HydrantRecords
import Testing
@testable import HydrantCapture

/// Builds DNS messages byte by byte, so tests can lay out compression pointers and malformed fields exactly.
private struct WireMessage {
    var bytes: [UInt8] = []

    init(id: UInt16 = 0x1234, flags: UInt16 = 0x8180, questions: Int, answers: Int, authority: Int = 0, additional: Int = 0) {
        u16(id)
        u16(flags)
        for count in [questions, answers, authority, additional] { u16(UInt16(count)) }
    }

    var offset: UInt16 { UInt16(bytes.count) }

    mutating func u16(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xff)] }
    mutating func u32(_ value: UInt32) { u16(UInt16(value >> 16)); u16(UInt16(value & 0xffff)) }
    mutating func name(_ text: String) { bytes += WireMessage.encoded(text) }
    mutating func pointer(_ target: UInt16) { u16(0xc000 | target) }

    mutating func question(_ text: String, type: UInt16, dnsClass: UInt16 = 1) {
        name(text)
        u16(type)
        u16(dnsClass)
    }

    /// A record whose owner is the compression pointer `owner` and whose rdata is given whole.
    mutating func record(owner: UInt16 = 12, type: UInt16, ttl: UInt32 = 300, rdata: [UInt8], declaredLength: Int? = nil) {
        pointer(owner)
        u16(type)
        u16(1)
        u32(ttl)
        u16(UInt16(declaredLength ?? rdata.count))
        bytes += rdata
    }

    static func encoded(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        DNSMessageBuilder.encodeName(text, to: &out)
        return out
    }

    /// Question "deep", an answer of an unknown type whose rdata is `links` pointers each to the one before (the
    /// first to the question), and an A answer whose owner points at the last: `links + 1` jumps in all.
    static func pointerChain(_ links: Int) -> (bytes: [UInt8], ownerOffset: Int) {
        var m = WireMessage(questions: 1, answers: 2)
        m.question("deep", type: 1)
        m.record(type: 99, rdata: [], declaredLength: 2 * links)
        for link in 0..<links { m.pointer(link == 0 ? 12 : m.offset - 2) }
        let owner = Int(m.offset)
        m.record(owner: m.offset - 2, type: 1, rdata: [1, 2, 3, 4])
        return (m.bytes, owner)
    }

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
    static func be32(_ value: UInt32) -> [UInt8] { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xffff)) }
}

private func parse(_ bytes: [UInt8]) throws(DNSParseError) -> DNSMessage { try DNSMessage(parsing: bytes) }

/// The error `bytes` fail with, or nil when they parse.
private func failure(_ bytes: [UInt8]) -> DNSParseError? {
    do { _ = try parse(bytes); return nil } catch { return error }
}

@Suite struct DNSMessageTests {
    /// The flag names come from a table of shared lists: for every value of the flags word they are the set flags,
    /// in the record's order.
    /// Labels copied whole (the common case) read the same as the byte-at-a-time rule: letters lower-cased, the eight
    /// zone-file specials backslash-escaped, bytes outside 0x21–0x7E as `\DDD`; for every byte value alone and
    /// between plain bytes, and for 20,000 seeded labels drawn from plain, upper-case, special and unprintable bytes.
    @Test func labelTextMatchesTheByteRule() {
        func reference(_ label: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            for byte in label {
                if byte >= 0x41 && byte <= 0x5a {
                    out.append(byte | 0x20)
                } else if Array(".\\\"();@$".utf8).contains(byte) {
                    out += [0x5c, byte]
                } else if byte >= 0x21 && byte <= 0x7e {
                    out.append(byte)
                } else {
                    out += [0x5c, 0x30 + byte / 100, 0x30 + byte / 10 % 10, 0x30 + byte % 10]
                }
            }
            return out
        }
        func check(_ label: [UInt8], after prefix: [UInt8]) {
            let block = UnsafeMutablePointer<UInt8>.allocate(capacity: prefix.count + 4 * label.count + 1)
            defer { block.deallocate() }
            block.initialize(from: prefix, count: prefix.count)
            let end = label.withUnsafeBufferPointer { DNSName.appendLabel($0, to: block, at: prefix.count) }
            let text = Array(UnsafeBufferPointer(start: block, count: end))
            #expect(text == prefix + reference(label), "label \(label)")
        }
        for value in 0...255 {
            let byte = UInt8(value)
            check([byte], after: [])
            check([0x61, byte, 0x5a], after: Array("x.".utf8))
        }
        var state: UInt64 = 0x5eed
        func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        let pools: [[UInt8]] = [Array("abcxyz0189-_".utf8), Array("ABCXYZ".utf8), Array(".\\\"();@$".utf8),
                                [0, 9, 0x20, 0x7f, 0x80, 0xff]]
        for _ in 0..<20_000 {
            let length = Int(next() % 64)
            var label: [UInt8] = []
            for _ in 0..<length {
                // Mostly plain bytes, so that labels needing no escape (the copied path) are common.
                let roll = next() % 100
                let pool = roll < 80 ? pools[0] : roll < 92 ? pools[1] : roll < 96 ? pools[2] : pools[3]
                label.append(pool[Int(next() % UInt64(pool.count))])
            }
            check(label, after: next() % 2 == 0 ? [] : Array("www".utf8))
        }
    }

    @Test func headerFlagNamesForEveryFlagsWord() throws {
        var header = [UInt8](repeating: 0, count: DNSMessage.headerLength)
        for flags in 0...Int(UInt16.max) {
            header[2] = UInt8(flags >> 8)
            header[3] = UInt8(flags & 0xFF)
            let message = try header.withUnsafeBytes { try DNSMessage(parsing: $0) }
            var expected: [String] = []
            for (set, name) in [(message.isAuthoritative, "AA"), (message.isTruncated, "TC"),
                                (message.recursionDesired, "RD"), (message.recursionAvailable, "RA"),
                                (message.authenticData, "AD"), (message.checkingDisabled, "CD")] where set {
                expected.append(name)
            }
            if message.headerFlagNames != expected {
                Issue.record("flags \(flags): \(message.headerFlagNames) instead of \(expected)")
                return
            }
        }
    }

    @Test func queryAndResponseFromTheSynthBuilder() throws {
        let query = DNSMessageBuilder.query(id: 4242, name: "WWW.Example.COM", type: DNSMessageBuilder.typeA, edns: true)
        let parsedQuery = try parse(query)
        #expect(parsedQuery.id == 4242)
        #expect(!parsedQuery.isResponse)
        #expect(parsedQuery.recursionDesired)
        #expect(parsedQuery.headerFlagNames == ["RD"])
        #expect(parsedQuery.questions == [DNSQuestion(name: "www.example.com", type: 1, dnsClass: 1)])
        #expect(parsedQuery.answers.isEmpty)
        #expect(parsedQuery.additionalCount == 1)
        #expect(parsedQuery.trailingSectionError == nil)

        let addresses = [try #require(IPAddress("192.0.2.7")), try #require(IPAddress("198.51.100.9"))]
        let response = DNSMessageBuilder.response(id: 4242, name: "www.example.com", type: DNSMessageBuilder.typeA,
                                                  canonicalName: "edge.cdn.example.net", addresses: addresses, ttl: 60, edns: true)
        let parsed = try parse(response)
        #expect(parsed.isResponse && parsed.recursionAvailable && parsed.responseCodeName == "NOERROR")
        #expect(parsed.headerFlagNames == ["RD", "RA"])
        #expect(parsed.answers.map(\.name) == ["www.example.com", "edge.cdn.example.net", "edge.cdn.example.net"])
        #expect(parsed.answers.map(\.data.presentation) == ["edge.cdn.example.net", "192.0.2.7", "198.51.100.9"])
        #expect(parsed.answers.map { DNSNames.typeName($0.type) } == ["CNAME", "A", "A"])
        #expect(parsed.answers.allSatisfy { $0.ttl == 60 && $0.dnsClass == 1 })

        let nx = DNSMessageBuilder.response(id: 9, name: "nope.example", type: DNSMessageBuilder.typeAAAA, canonicalName: nil,
                                            addresses: [], ttl: 1, responseCode: DNSMessageBuilder.nameError, edns: false)
        #expect(try parse(nx).responseCodeName == "NXDOMAIN")
    }

    @Test func everyDecodedAnswerType() throws {
        var m = WireMessage(questions: 1, answers: 10)
        m.question("example.com", type: 255)
        let nameAt: UInt16 = 12
        m.record(type: 1, rdata: [10, 0, 0, 1])
        m.record(type: 28, rdata: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])
        m.record(type: 5, rdata: [3] + Array("WWW".utf8) + WireMessage.be16(0xc000 | nameAt))
        m.record(type: 2, rdata: WireMessage.encoded("ns1.example.net"))
        m.record(type: 12, rdata: WireMessage.encoded("host.example.com"))
        m.record(type: 15, rdata: WireMessage.be16(10) + [4] + Array("mail".utf8) + WireMessage.be16(0xc000 | nameAt))
        m.record(type: 16, rdata: [5] + Array("hello".utf8) + [0])
        m.record(type: 6, rdata: WireMessage.encoded("ns.example.com") + WireMessage.encoded("Hostmaster.example.com")
                 + [2024010101, 7200, 3600, 1209600, 300].flatMap { WireMessage.be32($0) })
        m.record(type: 33, rdata: WireMessage.be16(20) + WireMessage.be16(1) + WireMessage.be16(5060) + WireMessage.encoded("sip.example.com"))
        m.record(type: 65, rdata: [0, 1, 0])
        let message = try parse(m.bytes)
        let v4 = try #require(IPAddress("10.0.0.1"))
        let v6 = try #require(IPAddress("2001:db8::1"))
        #expect(message.answers.count == 10)
        let data = message.answers.map(\.data)
        #expect(data[0] == .a(v4))
        #expect(data[1] == .aaaa(v6))
        #expect(data[2] == .cname("www.example.com"))
        #expect(data[3] == .ns("ns1.example.net"))
        #expect(data[4] == .ptr("host.example.com"))
        #expect(data[5] == .mx(preference: 10, exchange: "mail.example.com"))
        #expect(data[6] == .txt([Array("hello".utf8), []]))
        #expect(data[9] == .other(type: 65, length: 3))
        #expect(data.map(\.presentation) == [
            "10.0.0.1", "2001:db8::1", "www.example.com", "ns1.example.net", "host.example.com", "10 mail.example.com",
            "\"hello\" \"\"", "ns.example.com hostmaster.example.com 2024010101 7200 3600 1209600 300",
            "20 1 5060 sip.example.com", "\\# 3",
        ])
        #expect(data.map(\.type) == message.answers.map(\.type))
        #expect(message.answers.map { DNSNames.typeName($0.type) } == ["A", "AAAA", "CNAME", "NS", "PTR", "MX", "TXT", "SOA", "SRV", "HTTPS"])
    }

    @Test func compressionPointersChainBackwards() throws {
        var m = WireMessage(questions: 1, answers: 2)
        m.question("a.example.org", type: 5)
        let cnameAt = m.offset + 12  // owner pointer (2) + type, class, ttl, length (10)
        m.record(type: 5, rdata: [1, UInt8(ascii: "b")] + WireMessage.be16(0xc000 | 14))  // "b" + "example.org"
        m.record(owner: cnameAt, type: 5, rdata: [1, UInt8(ascii: "c")] + WireMessage.be16(0xc000 | cnameAt))
        let message = try parse(m.bytes)
        #expect(message.answers.map(\.name) == ["a.example.org", "b.example.org"])
        #expect(message.answers.map(\.data.presentation) == ["b.example.org", "c.b.example.org"])
    }

    @Test func pointerToItselfOrForwardIsRejected() {
        var selfPointer = WireMessage(questions: 1, answers: 0)
        selfPointer.pointer(12)
        selfPointer.u16(1); selfPointer.u16(1)
        #expect(failure(selfPointer.bytes) == .pointerForward(offset: 12, target: 12))

        var forward = WireMessage(questions: 1, answers: 0)
        forward.pointer(20)
        forward.u16(1); forward.u16(1)
        forward.name("x")
        #expect(failure(forward.bytes) == .pointerForward(offset: 12, target: 20))
    }

    @Test func pointerLoopsAreRejected() {
        // The question is "a" then a pointer back to its own first label.
        var ownName = WireMessage(questions: 1, answers: 0)
        ownName.bytes += [1, UInt8(ascii: "a")]
        ownName.pointer(12)
        ownName.u16(1); ownName.u16(1)
        #expect(failure(ownName.bytes) == .pointerLoop(offset: 14, target: 12))

        // Two names pointing at each other: question "a" → answer owner, answer owner "b" → question.
        var mutual = WireMessage(questions: 1, answers: 1)
        mutual.bytes += [1, UInt8(ascii: "a")]
        mutual.pointer(20)  // the answer's owner name, 20 = 12 + 2 + 2 + 4
        mutual.u16(1); mutual.u16(1)
        #expect(mutual.offset == 20)
        mutual.bytes += [1, UInt8(ascii: "b")]
        mutual.pointer(12)
        mutual.u16(1); mutual.u16(1); mutual.u32(0); mutual.u16(0)
        #expect(failure(mutual.bytes) == .pointerForward(offset: 14, target: 20))

        // A chain of backward pointers, each to the one before, longer than the jump limit.
        #expect(failure(WireMessage.pointerChain(DNSName.maximumPointerJumps).bytes)
                == .tooManyPointers(offset: WireMessage.pointerChain(DNSName.maximumPointerJumps).ownerOffset))
        let shorter = WireMessage.pointerChain(DNSName.maximumPointerJumps - 1).bytes
        #expect((try? parse(shorter))?.answers.last?.name == "deep")
    }

    @Test func labelAndNameLimits() {
        var longLabel = WireMessage(questions: 1, answers: 0)
        longLabel.bytes += [64] + [UInt8](repeating: 0x61, count: 64) + [0, 0, 1, 0, 1]
        #expect(failure(longLabel.bytes) == .labelTooLong(offset: 12, length: 64))

        var extended = WireMessage(questions: 1, answers: 0)
        extended.bytes += [0x41, 0, 0, 1, 0, 1]
        #expect(failure(extended.bytes) == .labelTooLong(offset: 12, length: 0x41))

        let label63 = String(repeating: "a", count: 63)
        var longest = WireMessage(questions: 1, answers: 0)  // 3 × 64 + 62 + 1 = 255 bytes in wire form
        longest.question([label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: "."), type: 1)
        #expect((try? parse(longest.bytes))?.questions.first?.name.utf8.count == 253)

        var tooLong = WireMessage(questions: 1, answers: 0)
        tooLong.question([label63, label63, label63, String(repeating: "b", count: 62)].joined(separator: "."), type: 1)
        #expect(failure(tooLong.bytes) == .nameTooLong(offset: 12))

        // Too long only once a pointer adds its suffix.
        var viaPointer = WireMessage(questions: 2, answers: 0)
        viaPointer.question([label63, label63].joined(separator: "."), type: 1)
        let second = Int(viaPointer.offset)
        viaPointer.bytes += [63] + Array(label63.utf8) + [63] + Array(label63.utf8)
        viaPointer.pointer(12)
        viaPointer.u16(1); viaPointer.u16(1)
        #expect(failure(viaPointer.bytes) == .nameTooLong(offset: second))
    }

    @Test func truncationAtEveryLengthIsATypedError() throws {
        var m = WireMessage(questions: 1, answers: 2)
        m.question("host.example.com", type: 16)
        m.record(type: 16, rdata: [3] + Array("a b".utf8))
        m.record(type: 15, rdata: WireMessage.be16(5) + WireMessage.encoded("mx.example.com"))
        let full = m.bytes
        _ = try parse(full)
        var parts: Set<String> = []
        for length in 0..<full.count {
            guard case .truncated(let part, let offset)? = failure(Array(full[..<length])) else {
                Issue.record("a \(length)-byte prefix did not fail as truncated: \(String(describing: failure(Array(full[..<length]))))")
                continue
            }
            #expect(offset <= length)
            parts.insert(part.rawValue)
        }
        #expect(parts == ["header", "question", "answer", "rdata"])
        #expect(failure(Array(full[..<11])) == .truncated(.header, offset: 0))
        #expect(failure(Array(full[..<(full.count - 1)])) == .truncated(.rdata, offset: full.count - 18))
    }

    @Test func rdataLengthThatLies() {
        var shortA = WireMessage(questions: 1, answers: 1)
        shortA.question("x", type: 1)
        shortA.record(owner: 12, type: 1, rdata: [1, 2, 3, 4, 5])
        #expect(failure(shortA.bytes) == .rdataLengthMismatch(type: 1, offset: 31, declared: 5))

        var cnameShort = WireMessage(questions: 1, answers: 1)
        cnameShort.question("x", type: 1)
        cnameShort.record(owner: 12, type: 5, rdata: WireMessage.encoded("target.example"), declaredLength: 4)
        #expect(failure(cnameShort.bytes) == .rdataLengthMismatch(type: 5, offset: 31, declared: 4))

        var cnameLeftover = WireMessage(questions: 1, answers: 1)
        cnameLeftover.question("x", type: 1)
        cnameLeftover.record(owner: 12, type: 5, rdata: WireMessage.encoded("t") + [9, 9])
        #expect(failure(cnameLeftover.bytes) == .rdataLengthMismatch(type: 5, offset: 31, declared: 5))

        var txtOverrun = WireMessage(questions: 1, answers: 1)
        txtOverrun.question("x", type: 1)
        txtOverrun.record(owner: 12, type: 16, rdata: [10] + Array("abc".utf8))
        #expect(failure(txtOverrun.bytes) == .rdataLengthMismatch(type: 16, offset: 31, declared: 4))

        var pastEnd = WireMessage(questions: 1, answers: 1)
        pastEnd.question("x", type: 1)
        pastEnd.record(owner: 12, type: 99, rdata: [1, 2], declaredLength: 300)
        #expect(failure(pastEnd.bytes) == .truncated(.rdata, offset: 31))
    }

    @Test func manyAnswers() throws {
        var m = WireMessage(questions: 1, answers: 2000)
        m.question("big.example", type: 1)
        for i in 0..<2000 { m.record(type: 1, ttl: UInt32(i), rdata: [10, 1, UInt8(i >> 8), UInt8(i & 0xff)]) }
        let message = try parse(m.bytes)
        #expect(message.answers.count == 2000)
        #expect(message.answers[1999].data.presentation == "10.1.7.207")
        #expect(message.answers[1999].ttl == 1999)
        #expect(message.answers.allSatisfy { $0.name == "big.example" })

        var lying = WireMessage(questions: 1, answers: 65535)
        lying.question("big.example", type: 1)
        lying.record(type: 1, rdata: [1, 2, 3, 4])
        #expect(failure(lying.bytes) == .truncated(.answer, offset: lying.bytes.count))
    }

    @Test func txtWithSeveralStringsAndEscapes() throws {
        var m = WireMessage(questions: 1, answers: 1)
        m.question("t", type: 16)
        let strings: [[UInt8]] = [Array("v=spf1 -all".utf8), Array("say \"hi\" \\o/".utf8), [0, 9, 0x7f, 0xff], []]
        m.record(owner: 12, type: 16, rdata: strings.flatMap { [UInt8($0.count)] + $0 })
        let data = try #require(try parse(m.bytes).answers.first?.data)
        #expect(data == .txt(strings))
        #expect(data.presentation == #""v=spf1 -all" "say \"hi\" \\o/" "\000\009\127\255" """#)
        #expect(data.textStrings?.prefix(2) == ["v=spf1 -all", "say \"hi\" \\o/"])
        #expect(DNSRecordData.a(IPAddress(ipv4: 1)).textStrings == nil)
    }

    @Test func namesInPresentationForm() throws {
        var m = WireMessage(questions: 2, answers: 0)
        m.bytes += [0, 0, 1, 0, 1]  // the root
        m.bytes += [8] + Array("A.b\\C d".utf8) + [0xff] + [3] + Array("(;)".utf8) + [4] + Array("@$\"x".utf8) + [0, 0, 1, 0, 1]
        let names = try parse(m.bytes).questions.map(\.name)
        #expect(names == [".", #"a\.b\\c\032d\255.\(\;\).\@\$\"x"#])
    }

    @Test func corruptTrailingSectionsKeepTheAnswers() throws {
        var m = WireMessage(questions: 1, answers: 1, authority: 1, additional: 2)
        m.question("ok.example", type: 1)
        m.record(type: 1, rdata: [1, 1, 1, 1])
        m.record(type: 6, rdata: [])  // a well-formed authority record
        m.bytes += [0, 0, 41, 4, 0xd0]  // an OPT record cut short
        let message = try parse(m.bytes)
        #expect(message.answers.map(\.data.presentation) == ["1.1.1.1"])
        #expect(message.authorityCount == 1 && message.additionalCount == 2)
        #expect(message.trailingSectionError == .truncated(.trailingRecord, offset: m.bytes.count - 4))

        var loop = WireMessage(questions: 0, answers: 0, additional: 1)
        loop.pointer(12)
        #expect(try parse(loop.bytes).trailingSectionError == .pointerForward(offset: 12, target: 12))
    }

    @Test func headerFields() throws {
        var m = WireMessage(id: 0xbeef, flags: 0xffff, questions: 0, answers: 0)
        m.bytes += [0xde, 0xad]  // trailing bytes are ignored
        let all = try parse(m.bytes)
        #expect(all.id == 0xbeef && all.isResponse && all.opcode == 15 && all.responseCode == 15)
        #expect(all.isAuthoritative && all.isTruncated && all.recursionDesired && all.recursionAvailable)
        #expect(all.authenticData && all.checkingDisabled)
        #expect(all.headerFlagNames == ["AA", "TC", "RD", "RA", "AD", "CD"])
        let none = try parse(WireMessage(flags: 0x2805, questions: 0, answers: 0).bytes)  // UPDATE, REFUSED
        #expect(none.headerFlagNames.isEmpty && !none.isResponse)
        #expect(DNSNames.opcodeName(none.opcode) == "UPDATE" && none.responseCodeName == "REFUSED")
    }

    @Test func mnemonics() {
        #expect(([1, 28, 5, 2, 12, 15, 16, 6, 33, 41, 64, 65, 255, 257, 65534] as [UInt16]).map { DNSNames.typeName($0) }
                == ["A", "AAAA", "CNAME", "NS", "PTR", "MX", "TXT", "SOA", "SRV", "OPT", "SVCB", "HTTPS", "ANY", "CAA", "TYPE65534"])
        #expect(([1, 3, 4, 254, 255, 9] as [UInt16]).map { DNSNames.className($0) } == ["IN", "CH", "HS", "NONE", "ANY", "CLASS9"])
        #expect((0...5 as ClosedRange<UInt16>).map { DNSNames.responseCodeName($0) } == ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"])
        #expect(DNSNames.responseCodeName(12) == "RCODE12")
        #expect(DNSNames.opcodeName(3) == "OPCODE3")
    }

    /// Every byte of a message with compressed names, set to each value that changes how it is read (end of
    /// name, longest label, reserved label types, pointer, all ones, flipped), parses or fails with a typed error.
    @Test func everySingleByteMutationParsesOrFailsCleanly() throws {
        var m = WireMessage(questions: 1, answers: 4, additional: 1)
        m.question("mutate.example.org", type: 15)
        m.record(type: 15, rdata: WireMessage.be16(10) + [2, 109, 120] + WireMessage.be16(0xc000 | 19))
        m.record(type: 16, rdata: [2, 104, 105, 1, 0])
        m.record(type: 6, rdata: WireMessage.be16(0xc000 | 12) + WireMessage.be16(0xc000 | 19) + [UInt8](repeating: 1, count: 20))
        m.record(type: 33, rdata: [0, 1, 0, 2, 0, 3] + WireMessage.be16(0xc000 | 12))
        m.bytes += [0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]
        let original = try parse(m.bytes)
        #expect(original.answers.count == 4 && original.trailingSectionError == nil)
        var outcomes = (parsed: 0, failed: 0)
        for index in m.bytes.indices {
            for value: UInt8 in [0x00, 0x01, 0x3f, 0x40, 0x80, 0xc0, 0xff, m.bytes[index] ^ 0xff] {
                var mutated = m.bytes
                mutated[index] = value
                if failure(mutated) == nil { outcomes.parsed += 1 } else { outcomes.failed += 1 }
            }
        }
        #expect(outcomes.parsed > 0 && outcomes.failed > 0)
    }

    @Test func errorsDescribeThemselves() {
        #expect(DNSParseError.truncated(.rdata, offset: 40).description == "DNS message truncated in rdata at byte 40")
        #expect(DNSParseError.rdataLengthMismatch(type: 1, offset: 30, declared: 5).description.contains("A record data at byte 30"))
    }
}

@Suite struct DNSTCPFramerTests {
    /// Two-byte length prefixes followed by the messages.
    static func stream(_ messages: [[UInt8]]) -> [UInt8] {
        messages.flatMap { [UInt8($0.count >> 8), UInt8($0.count & 0xff)] + $0 }
    }

    static let messages: [[UInt8]] = [
        DNSMessageBuilder.query(id: 1, name: "one.example", type: 1, edns: false),
        [],
        DNSMessageBuilder.query(id: 2, name: "two.example", type: 28, edns: true),
        [UInt8](repeating: 7, count: 300),
    ]

    @Test func severalMessagesInOneChunk() {
        var framer = DNSTCPFramer()
        var seen: [[UInt8]] = []
        let bytes = DNSTCPFramerTests.stream(DNSTCPFramerTests.messages)
        let needed = bytes.withUnsafeBytes { framer.feed($0) { seen.append(Array($0)) } }
        #expect(seen == DNSTCPFramerTests.messages)
        #expect(needed == 0 && framer.bufferedByteCount == 0)
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func messagesSplitAcrossChunks(chunkSize: Int) {
        var framer = DNSTCPFramer()
        var seen: [[UInt8]] = []
        let bytes = DNSTCPFramerTests.stream(DNSTCPFramerTests.messages)
        var start = 0
        while start < bytes.count {
            let end = min(start + chunkSize, bytes.count)
            let needed = bytes[start..<end].withUnsafeBytes { framer.feed($0) { seen.append(Array($0)) } }
            #expect(needed == framer.bytesNeeded)
            #expect(framer.bufferedByteCount <= 2 + DNSTCPFramer.maximumMessageLength)
            start = end
        }
        #expect(seen == DNSTCPFramerTests.messages)
        #expect(framer.bytesNeeded == 0)
    }

    @Test func reportsWhatAnIncompleteMessageNeeds() {
        var framer = DNSTCPFramer()
        var count = 0
        #expect(([0x01] as [UInt8]).withUnsafeBytes { framer.feed($0) { _ in count += 1 } } == 1)
        #expect(([0x00, 0xaa, 0xbb] as [UInt8]).withUnsafeBytes { framer.feed($0) { _ in count += 1 } } == 256 - 2)
        #expect(framer.bufferedByteCount == 4)
        framer.reset()
        #expect(framer.bytesNeeded == 0)
        let whole = DNSTCPFramerTests.stream([[1, 2, 3]]) + [0xff, 0xff, 9]
        #expect(whole.withUnsafeBytes { framer.feed($0) { _ in count += 1 } } == 65535 - 1)
        #expect(count == 1)
        let rest = [UInt8](repeating: 5, count: 65534)
        var lengths: [Int] = []
        let needed = rest.withUnsafeBytes { framer.feed($0) { lengths.append($0.count); count += 1 } }
        #expect(needed == 0 && lengths == [65535])
        #expect(count == 2 && framer.bufferedByteCount == 0)
    }

    @Test func framedMessagesParse() throws {
        var framer = DNSTCPFramer()
        var ids: [UInt16] = []
        let bytes = DNSTCPFramerTests.stream([DNSTCPFramerTests.messages[0], DNSTCPFramerTests.messages[2]])
        _ = bytes.withUnsafeBytes { framer.feed($0) { if let m = try? DNSMessage(parsing: $0) { ids.append(m.id) } } }
        #expect(ids == [1, 2])
    }
}

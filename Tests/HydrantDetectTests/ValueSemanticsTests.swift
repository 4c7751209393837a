import Testing
@testable import HydrantDetect
import HydrantRecords

@Suite struct ValueSemanticsTests {
    @Test func wildcardEscapingFollowsTheReference() {
        #expect(SigmaPattern(parsing: #"C:\Windows\System32\whoami.exe"#).pieces == [.literal(Array(#"C:\Windows\System32\whoami.exe"#.utf8))])
        #expect(SigmaPattern(parsing: #"C:\Windows\*"#).pieces == [.literal(Array("C:\\Windows*".utf8))])
        #expect(SigmaPattern(parsing: #"C:\Windows\\*"#).pieces == [.literal(Array("C:\\Windows\\".utf8)), .anyRun])
        #expect(SigmaPattern(parsing: #"\\\\\*\\IPC$"#).pieces == [.literal(Array(#"\\*\IPC$"#.utf8))])
        #expect(SigmaPattern(parsing: #"escaped\*\?\\*?"#).pieces == [.literal(Array(#"escaped*?\"#.utf8)), .anyRun, .anyOne])
        #expect(SigmaPattern(parsing: #"finalescape\"#).pieces == [.literal(Array(#"finalescape\"#.utf8))])
    }

    @Test func containsAddsWildcardsOnlyWhereMissing() {
        #expect(SigmaPattern(parsing: "*foo").containing().pieces == [.anyRun, .literal(Array("foo".utf8)), .anyRun])
        #expect(SigmaPattern(parsing: "foo*").startingWith().pieces == [.literal(Array("foo".utf8)), .anyRun])
        #expect(SigmaPattern(parsing: "*foo").endingWith().pieces == [.anyRun, .literal(Array("foo".utf8))])
    }

    @Test func base64OffsetVectors() {
        let variants = ValueEncodings.base64Offsets(Array("foobar".utf8)).map { String(decoding: $0, as: UTF8.self) }
        #expect(variants == ["Zm9vYmFy", "Zvb2Jhc", "mb29iYX"])
        #expect(String(decoding: ValueEncodings.base64(Array("foobar".utf8)), as: UTF8.self) == "Zm9vYmFy")
    }

    @Test func windashVariantCounts() throws {
        func count(_ text: String) throws -> Int { try #require(ValueEncodings.windash(SigmaPattern(parsing: text))).count }
        #expect(try count("-foo") == 5)
        #expect(try count(" /x -y") == 25)
        #expect(try count("a-b") == 1)
        #expect(try count("--long") == 5)
        let variants = try #require(ValueEncodings.windash(SigmaPattern(parsing: "-foo"))).map { String(decoding: $0.literalBytes ?? [], as: UTF8.self) }
        #expect(Set(variants) == ["-foo", "/foo", "\u{2013}foo", "\u{2014}foo", "\u{2015}foo"])
    }

    @Test func utf16Encodings() {
        #expect(ValueEncodings.utf16(Array("ab".utf8), bigEndian: false) == [0x61, 0, 0x62, 0])
        #expect(ValueEncodings.utf16(Array("ab".utf8), bigEndian: true) == [0, 0x61, 0, 0x62])
    }

    @Test func cidrIsStrictAboutHostBits() throws {
        #expect(IPNetwork("10.0.0.0/8") != nil)
        #expect(IPNetwork("10.0.0.1/8") == nil)
        #expect(IPNetwork("fe80::/10") != nil)
        #expect(IPNetwork("fe80::1/10") == nil)
        let network = IPNetwork("192.168.0.0/16")
        #expect(network?.contains(try #require(IPAddress("192.168.44.1"))) == true)
        #expect(network?.contains(try #require(IPAddress("192.169.0.1"))) == false)
        #expect(network?.contains(try #require(IPAddress("::ffff:192.168.0.1"))) == false)
    }

    @Test func globMatchesAnchoredWithCharacterWildcards() {
        func glob(_ pattern: String, _ value: String) -> Bool {
            Array(value.utf8).withUnsafeBufferPointer { GlobMatcher.matches(SigmaPattern(parsing: pattern).pieces, $0) }
        }
        #expect(glob("a*c", "abbbc"))
        #expect(!glob("a*c", "abbbcd"))
        #expect(glob("a?c", "aéc"))
        #expect(!glob("a?c", "ac"))
        #expect(glob("*", ""))
        #expect(glob("*a*a*a*b", String(repeating: "a", count: 40) + "b"))
        #expect(!glob("*a*a*a*b", String(repeating: "a", count: 40)))
    }

    @Test func yamlScalarsResolveLikePyYAML() {
        #expect(SigmaScalar.resolvePlain("yes") == .bool(true))
        #expect(SigmaScalar.resolvePlain("Off") == .bool(false))
        #expect(SigmaScalar.resolvePlain("0x17") == .int(23))
        #expect(SigmaScalar.resolvePlain("010") == .int(8))
        #expect(SigmaScalar.resolvePlain("0b101") == .int(5))
        #expect(SigmaScalar.resolvePlain("1_000") == .int(1000))
        #expect(SigmaScalar.resolvePlain("1:30") == .int(90))
        #expect(SigmaScalar.resolvePlain("~") == .null)
        #expect(SigmaScalar.resolvePlain("1.5") == .float(1.5))
        #expect(SigmaScalar.resolvePlain("1e5") == .string("1e5"))
        #expect(SigmaScalar.resolvePlain("0x") == .string("0x"))
        #expect(SigmaScalar.resolvePlain("08") == .string("08"))
        #expect(SigmaScalar.resolvePlain("foo") == .string("foo"))
    }

    @Test func quotedScalarsStayStrings() throws {
        let (set, errors) = RuleSet.parse(yaml: dnsRule("""
        sel:
            dns.id: '0x17'
            dns.question.type: 010
            dns.question.class: yes
        condition: sel
        """))
        #expect(errors.isEmpty)
        let rule = try #require(set.detections.first)
        let tests = collectTests(rule.expression)
        #expect(tests.contains { $0 == "dns.id=0x17" })
        #expect(tests.contains { $0 == "dns.question.type=8" })
        #expect(tests.contains { $0 == "dns.question.class=true" })
    }

    private func collectTests(_ e: DetectionExpression) -> [String] {
        switch e {
        case .test(let field, .exact(let bytes, _)): return ["\(field ?? "_")=\(String(decoding: bytes, as: UTF8.self))"]
        case .test: return []
        case .and(let items), .or(let items): return items.flatMap(collectTests)
        case .not(let inner): return collectTests(inner)
        case .constant: return []
        }
    }
}

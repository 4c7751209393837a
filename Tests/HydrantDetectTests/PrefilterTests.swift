import Testing
@testable import HydrantDetect
import HydrantRecords

/// Required literals of globs and regexes, and the prefilters built on them: a prefilter may only skip tests that
/// would have been false.
@Suite struct PrefilterTests {
    /// A small deterministic generator (the same values on every run).
    struct Generator {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }
    }

    @Test func regexLiteralsAreOnlyWhatEveryMatchHolds() {
        func literal(_ pattern: String, _ flags: RegexFlags = []) -> String? {
            RequiredLiteral.of(regex: pattern, flags: flags).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(literal("^/admin[0-9]+/login\\.php$") == "/login.php")
        #expect(literal("ab?cdef") == "cdef")
        #expect(literal("a(bcdefg)?h") == "a")
        #expect(literal("xy{2}zz") == "zz")
        #expect(literal("[abc]defg") == "defg")
        #expect(literal("abc+defgh") == "defgh")
        #expect(literal("foo|barbaz") == nil)
        #expect(literal("(?i)secret") == nil)
        #expect(literal("\\x41BCDE") == nil)
        #expect(literal("\\QA.B\\E") == nil)
        #expect(literal("secret", .caseInsensitive) == nil)
        #expect(literal("\\d+\\.evil\\.com") == ".evil.com")
        #expect(literal(".*") == nil)
        #expect(RequiredLiteral.of(glob: SigmaPattern(parsing: "*ab*cde?f").pieces) == Array("cde".utf8))
        #expect(RequiredLiteral.of(glob: SigmaPattern(parsing: "*?*").pieces) == nil)
    }

    /// Random patterns over a small alphabet, against random values made of the same pieces: whenever a pattern
    /// matches, its required literal is in the value.
    @Test func requiredLiteralsHoldInEveryMatch() throws {
        var random = Generator(state: 11)
        let atoms = ["a", "b", "ab", "c", ".", "\\.", "[ab]", "(ab)", "(a|b)", "x", "é", "\\d", "1", "/"]
        let quantifiers = ["", "", "", "?", "*", "+", "{2}", "{0,1}"]
        let valueParts = ["a", "b", "ab", "c", ".", "x", "é", "1", "/", "abab", "xx"]
        var checkedMatches = 0
        for _ in 0..<400 {
            var pattern = random.next(4) == 0 ? "^" : ""
            for _ in 0..<(1 + random.next(6)) { pattern += random.pick(atoms) + random.pick(quantifiers) }
            if random.next(4) == 0 { pattern += "$" }
            let regex = try CompiledRegex(pattern: pattern, flags: [])
            let literal = RequiredLiteral.of(regex: pattern, flags: [])
            let scratch = RegexScratch()
            for _ in 0..<60 {
                var value = ""
                for _ in 0..<random.next(8) { value += random.pick(valueParts) }
                let bytes = Array(value.utf8)
                let matched = bytes.withUnsafeBufferPointer { regex.matches($0, scratch: scratch) }
                guard matched else { continue }
                checkedMatches += 1
                if let literal {
                    #expect(contains(bytes, literal), "\(pattern) matched \(value) without \(String(decoding: literal, as: UTF8.self))")
                }
            }
        }
        for _ in 0..<400 {
            var text = ""
            for _ in 0..<(1 + random.next(5)) { text += random.pick(["*", "?", "a", "b", "ab", "é", "x"]) }
            let pieces = SigmaPattern(parsing: text).pieces
            let literal = RequiredLiteral.of(glob: pieces)
            for _ in 0..<60 {
                var value = ""
                for _ in 0..<random.next(6) { value += random.pick(["a", "b", "ab", "é", "x", "y"]) }
                let bytes = Array(value.utf8)
                guard bytes.withUnsafeBufferPointer({ GlobMatcher.matches(pieces, $0) }) else { continue }
                checkedMatches += 1
                if let literal { #expect(contains(bytes, literal), "\(text) matched \(value)") }
            }
        }
        #expect(checkedMatches > 1000)
    }

    /// Rules with globs and regexes (alone, combined, negated) over many generated DNS records: the engine with
    /// prefilters reports exactly the matches of the engine without them.
    @Test func prefiltersNeverChangeMatches() {
        var random = Generator(state: 5)
        let fragments = ["evil", "EVIL", "Evil", "ex", "ample", ".", "-", "com", "net", "1", "22", "é", "É", "a", "zz"]
        var rules: [String] = []
        for i in 0..<60 {
            var glob = ""
            for _ in 0..<(1 + random.next(4)) {
                glob += random.pick(["*", "?", random.pick(fragments), random.pick(fragments)])
            }
            let quoted = glob  // the fragments hold no quote
            let cased = random.next(3) == 0 ? "|cased" : ""
            switch i % 4 {
            case 0: rules.append(dnsRule("sel:\n    dns.question.name\(cased): '\(quoted)'\ncondition: sel", title: "g\(i)"))
            case 1:
                rules.append(dnsRule("""
                sel:
                    dns.question.type: A
                glob:
                    dns.question.name\(cased): '\(quoted)'
                condition: sel and not glob
                """, title: "n\(i)"))
            case 2:
                var regex = ""
                for _ in 0..<(1 + random.next(4)) {
                    regex += random.pick(["evil", "ex", "[0-9]", "\\.", "com", "(ample)", "aa", "E", "-", "."])
                    regex += random.pick(["", "", "?", "*"])
                }
                rules.append(dnsRule("sel:\n    dns.question.name|re: '\(regex)'\ncondition: sel", title: "r\(i)"))
            default:
                rules.append(dnsRule("""
                one:
                    dns.question.name\(cased): '\(quoted)'
                two:
                    dns.question.name|re: 'evil|com'
                condition: one or two
                """, title: "o\(i)"))
            }
        }
        let yaml = rules.joined(separator: "\n---\n")
        let (set, errors) = RuleSet.parse(yaml: yaml, file: "prefilter.yml")
        #expect(errors.isEmpty, "\(errors)")
        let filtered = DetectionEngine(rules: set, allowedLateness: 0, maximumGroups: 10, prefilters: true)
        let reference = DetectionEngine(rules: set, allowedLateness: 0, maximumGroups: 10, prefilters: false)
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for _ in 0..<3000 {
            var name = ""
            for _ in 0..<random.next(6) { name += random.pick(fragments) }
            EventValue.object(dnsEvent(name)).appendJSON(to: &bytes)
            bytes.append(0x0A)
            ends.append(bytes.count)
        }
        let expected = bytes.withUnsafeBufferPointer { reference.matches(in: $0, ends: ends) }
        let actual = bytes.withUnsafeBufferPointer { filtered.matches(in: $0, ends: ends) }
        #expect(expected.count > 100)
        #expect(actual == expected)
        // The prefilters must actually take work away, or this test proves nothing about them.
        #expect(filtered.evaluatedConditions < reference.evaluatedConditions)
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle {
            return true
        }
        return false
    }
}

/// Correlation texts held inline or spilled: equality and hashing follow the bytes whatever the storage.
@Suite struct InlineTextTests {
    @Test func equalBytesAreEqualAcrossTheInlineLimit() {
        for length in [0, 1, 7, 8, 15, 16, 17, 31, 32, 47, 48, 49, 80] {
            let text = String(repeating: "x", count: max(0, length - 1)) + (length > 0 ? "y" : "")
            let a = InlineText(text), b = InlineText(text)
            #expect(a == b)
            #expect(a.hashValue == b.hashValue)
            #expect(a.string == text)
            #expect(a.count == length)
            if length > 0 {
                let other = InlineText(String(repeating: "x", count: length))
                #expect(a != other)
            }
        }
        var set = Set<InlineText>()
        for i in 0..<1000 { set.insert(InlineText("10.0.\(i / 256).\(i % 256)")) }
        #expect(set.count == 1000)
        #expect(set.contains(InlineText("10.0.3.231")))
        #expect(!set.contains(InlineText("10.0.3.2311")))
    }
}

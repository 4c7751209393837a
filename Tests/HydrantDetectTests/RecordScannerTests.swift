import Testing
@testable import HydrantDetect
import HydrantRecords

/// The record scanner, its field trie and the value arena, on ordinary and hostile JSON.
@Suite struct RecordScannerTests {
    /// Scans `json` with a trie of `fields` (slot = position in the list), through `names` when given; nil when the
    /// record is refused. Every record is scanned four ways: without and with a structural index, and through
    /// record layouts twice (the first scan learns the record's layout when it is accepted, the second matches
    /// it). All must agree: the index and the layouts change how the record is read, never what is accepted or found.
    private func scan(_ json: [UInt8], fields: [String], names: MemberNameCache? = nil) -> [[String]]? {
        let plain = scan(json, fields: fields, names: names, index: nil)
        let indexed = scan(json, fields: fields, names: names, index: StructuralIndex())
        #expect(plain == indexed, "indexed scan differs on \(String(decoding: json, as: UTF8.self).debugDescription)")
        let layouts = RecordLayouts()
        let index = StructuralIndex()
        let learning = scan(json, fields: fields, names: names, index: index, layouts: layouts)
        let matching = scan(json, fields: fields, names: names, index: index, layouts: layouts)
        #expect(plain == learning && plain == matching,
                "layout scan differs on \(String(decoding: json, as: UTF8.self).debugDescription)")
        return plain
    }

    private func scan(_ json: [UInt8], fields: [String], names: MemberNameCache?, index: StructuralIndex?,
                      layouts: RecordLayouts? = nil) -> [[String]]? {
        RecordScannerTests.scan(json, fields: fields, names: names, index: index, layouts: layouts)
    }

    /// One scan of `json` with a fresh trie of `fields`; the values per slot, or nil when the record is refused.
    static func scan(_ json: [UInt8], fields: [String], names: MemberNameCache? = nil, index: StructuralIndex?,
                     layouts: RecordLayouts? = nil) -> [[String]]? {
        var trie = FieldTrie()
        for (slot, name) in fields.enumerated() { trie.insert(name, slot: slot) }
        let values = RecordValues()
        values.reset(slots: fields.count)
        var scratch: [UInt8] = []
        let ok = json.withUnsafeBufferPointer {
            RecordScanner.scan($0, trie: trie, into: values, scratch: &scratch, names: names, index: index,
                               layouts: layouts)
        }
        guard ok else { return nil }
        return values.texts(slots: fields.count)
    }

    private func scan(_ json: String, fields: [String]) -> [[String]]? { scan(Array(json.utf8), fields: fields) }

    @Test func nestedFlatAndListValues() {
        let json = #"{"a":{"b":"x","c":[1,2,{"d":true}]},"a.b":"flat","e":[{"f":"one"},{"f":"two"}],"skip":{"a":{"b":"no"}}}"#
        let result = scan(json, fields: ["a.b", "a.c", "a.c.d", "e.f"])
        #expect(result == [["x", "flat"], ["1", "2"], ["true"], ["one", "two"]])
    }

    @Test func escapedNamesAndValuesAreUnescaped() {
        let json = #"{"\u0061":{"b":"q\"uote\\d \u00e9"}}"#
        #expect(scan(json, fields: ["a.b"]) == [["q\"uote\\d é"]])
    }

    @Test func emptyMemberName() {
        #expect(scan(#"{"":"v","x":1}"#, fields: ["", "x"]) == [["v"], ["1"]])
    }

    @Test func manyNamesAtOneNodeResolveThroughTheHashTable() {
        let fields = (0..<500).map { "f\($0)" }
        var json = "{"
        for i in stride(from: 499, through: 0, by: -7) { json += "\"f\(i)\":\(i)," }
        json += "\"other\":0}"
        guard let result = scan(json, fields: fields) else { Issue.record("refused"); return }
        for i in 0..<500 {
            let expected = (499 - i) % 7 == 0 ? ["\(i)"] : []
            #expect(result[i] == expected)
        }
    }

    /// Every position of a quote, backslash or control byte within and across eight-byte words.
    @Test func stringsAroundWordBoundaries() {
        for length in 0..<40 {
            for special in 0..<max(length, 1) {
                var text = Array(repeating: UInt8(ascii: "a"), count: length)
                if length > 0 { text[special] = UInt8(ascii: "Z") }
                let plain = Array(#"{"k":""#.utf8) + text + Array(#""}"#.utf8)
                #expect(scan(plain, fields: ["k"]) == [[String(decoding: text, as: UTF8.self)]])
                guard length > 0 else { continue }
                // An escaped quote at that position.
                var escaped = text
                escaped.replaceSubrange(special...special, with: Array(#"\""#.utf8))
                let withEscape = Array(#"{"k":""#.utf8) + escaped + Array(#""}"#.utf8)
                var expected = text
                expected[special] = UInt8(ascii: "\"")
                #expect(scan(withEscape, fields: ["k"]) == [[String(decoding: expected, as: UTF8.self)]])
                // A raw control byte there makes the record malformed, in a skipped member as well.
                var control = text
                control[special] = 0x1F
                #expect(scan(Array(#"{"k":""#.utf8) + control + Array(#""}"#.utf8), fields: ["k"]) == nil)
                #expect(scan(Array(#"{"s":""#.utf8) + control + Array(#""}"#.utf8), fields: ["k"]) == nil)
            }
        }
    }

    @Test func hugeStringsAreScannedWhole() {
        let big = String(repeating: "x", count: 1_000_003)
        #expect(scan("{\"skip\":\"\(big)\",\"k\":\"\(big)y\"}", fields: ["k"]) == [[big + "y"]])
    }

    @Test func invalidUTF8IsKeptAsBytes() {
        let json: [UInt8] = Array(#"{"k":""#.utf8) + [0xFF, 0xC3, 0x28, 0x80] + Array(#""}"#.utf8)
        var trie = FieldTrie()
        trie.insert("k", slot: 0)
        let values = RecordValues()
        values.reset(slots: 1)
        var scratch: [UInt8] = []
        let ok = json.withUnsafeBufferPointer { RecordScanner.scan($0, trie: trie, into: values, scratch: &scratch) }
        #expect(ok)
        let entry = values.entries[Int(values.heads[0])]
        #expect(Array(values.raw(entry)) == [0xFF, 0xC3, 0x28, 0x80])
    }

    @Test func deepNestingIsRefusedNotRecursedWithoutBound() {
        let deepObjects = String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        #expect(scan(deepObjects, fields: ["a"]) == nil)
        let deepArrays = #"{"a":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(scan(deepArrays, fields: ["a"]) == nil)
        let allowed = String(repeating: #"{"a":"#, count: RecordScanner.maximumDepth - 1) + "1"
            + String(repeating: "}", count: RecordScanner.maximumDepth - 1)
        #expect(scan(allowed, fields: ["x"]) != nil)
    }

    @Test func everyTruncationIsRefused() {
        let json = Array(#"{"a":{"b":"x\"y","c":[1,true,false,null,{"d":"e"}]},"f":"g"}"#.utf8)
        #expect(scan(json, fields: ["a.b", "a.c.d", "f"]) != nil)
        for cut in 0..<json.count {
            #expect(scan(Array(json[0..<cut]), fields: ["a.b", "a.c.d", "f"]) == nil, "accepted \(cut) bytes")
        }
    }

    @Test func malformedShapesAreRefused() {
        for bad in ["", "[]", "\"x\"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1} x", "{\"a\":tru}",
                    "{\"a\":\"\\u12\"}", "{\"a\":[1,]}", "{\"a\":1 \"b\":2}",
                    // Escapes JSON does not allow, in a member no rule reads.
                    "{\"z\":\"\\x\",\"a\":1}", "{\"z\":\"\\u12G4\",\"a\":1}"] {
            #expect(scan(bad, fields: ["a"]) == nil, "accepted \(bad)")
        }
    }

    @Test func valuesAreResetBetweenRecords() {
        var trie = FieldTrie()
        trie.insert("a", slot: 0)
        trie.insert("b", slot: 1)
        let values = RecordValues()
        var scratch: [UInt8] = []
        for (json, present) in [(#"{"a":1,"b":2}"#, [true, true]), (#"{"b":3}"#, [false, true]), ("{}", [false, false])] {
            values.reset(slots: 2)
            let bytes = Array(json.utf8)
            #expect(bytes.withUnsafeBufferPointer { RecordScanner.scan($0, trie: trie, into: values, scratch: &scratch) })
            #expect([values.isPresent(0), values.isPresent(1)] == present)
        }
    }

    @Test func theMemberNameCacheNeverChangesWhatIsFound() {
        // Names of equal lengths at the same positions (so that cache entries collide and are overwritten), names
        // that differ only in their last byte, nested objects whose members repeat their parents' names, and
        // names longer than the cache keeps.
        let fields = ["a.b", "abc", "abd", "network.transport", "network.community_id", "x.abc", "longer_than_sixteen_bytes"]
        let names = ["a", "b", "abc", "abd", "abe", "network", "transport", "community_id", "x", "y", "longer_than_sixteen_bytes",
                     "longer_than_sixteen_bytez", ""]
        var generator = SystemRandomNumberGenerator()
        func object(depth: Int) -> String {
            let count = Int.random(in: 0...5, using: &generator)
            let members = (0..<count).map { i -> String in
                let name = names.randomElement(using: &generator) ?? "a"
                let value = depth < 3 && Bool.random(using: &generator) ? object(depth: depth + 1) : "\"v\(i)\""
                return "\"\(name)\":\(value)"
            }
            return "{" + members.joined(separator: ",") + "}"
        }
        // `scan` builds the same trie (same node numbers) on every call, so one cache serves them all.
        let cache = MemberNameCache()
        for _ in 0..<3_000 {
            let json = Array(object(depth: 0).utf8)
            let expected = scan(json, fields: fields)
            let found = scan(json, fields: fields, names: cache)
            #expect(found == expected, "\(String(decoding: json, as: UTF8.self))")
        }
    }
}

/// The anchored prefix and suffix matcher, against a direct comparison.
@Suite struct AnchoredMatcherTests {
    @Test func agreesWithDirectComparison() {
        let patterns: [[UInt8]] = ["a", "ab", "abc", "b", "xyz", "ab", "bc", "c", "zz"].map { Array($0.utf8) }
        let pairs = patterns.enumerated().map { ($0.element, Int32($0.offset)) }
        let prefix = AnchoredMatcher(pairs, anchor: .start)
        let suffix = AnchoredMatcher(pairs, anchor: .end)
        let alphabet = Array("abcxyz".utf8)
        var inputs: [[UInt8]] = [[]]
        var level: [[UInt8]] = [[]]
        for _ in 0..<4 {
            level = level.flatMap { s in alphabet.map { s + [$0] } }
            inputs += level
        }
        for input in inputs {
            var gotPrefix = Set<Int32>(), gotSuffix = Set<Int32>()
            // A trailing byte that is not part of the input keeps the base address valid for the empty input.
            (input + [0]).withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                prefix.walk(base, input.count) { gotPrefix.insert($0) }
                suffix.walk(base, input.count) { gotSuffix.insert($0) }
            }
            let wantPrefix = Set(pairs.filter { input.starts(with: $0.0) }.map(\.1))
            let wantSuffix = Set(pairs.filter { input.reversed().starts(with: $0.0.reversed()) }.map(\.1))
            #expect(gotPrefix == wantPrefix, "prefixes of \(input)")
            #expect(gotSuffix == wantSuffix, "suffixes of \(input)")
        }
    }

    @Test func emptyMatcherMatchesNothing() {
        let matcher = AnchoredMatcher([], anchor: .start)
        #expect(matcher.isEmpty)
        var hits = 0
        let bytes: [UInt8] = [1, 2, 3]
        bytes.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { matcher.walk(base, 3) { _ in hits += 1 } }
        }
        #expect(hits == 0)
    }
}

/// Addresses read from value bytes (`IPAddress(utf8:)`, what `cidr` tests use), each a slice of a longer buffer so
/// that a parser reading past the slice would be caught.
@Suite struct AddressBytesTests {
    @Test func readsExactlyTheSlice() {
        let samples: [(String, String?)] = [
            ("10.0.0.1", "10.0.0.1"), ("255.255.255.255", "255.255.255.255"), ("0.0.0.0", "0.0.0.0"),
            ("256.1.1.1", nil), ("1.2.3", nil), ("1.2.3.4.5", nil), ("1..2.3", nil), ("1.2.3.4 ", nil), ("", nil),
            (".", nil), ("1234.1.1.1", nil), ("::1", "::1"), ("2001:db8::1", "2001:db8::1"), ("1234::5", "1234::5"),
            ("1.2.3.4:80", nil), ("2001:db8:a0a:0:200:ff:fe00:652e", "2001:db8:a0a:0:200:ff:fe00:652e"), ("x", nil),
            ("1.2.3.-4", nil), ("\u{00e9}.1.1.1", nil),
        ]
        for (text, expected) in samples {
            let bytes = Array(text.utf8) + Array("9.9".utf8)
            let got = bytes.withUnsafeBufferPointer { IPAddress(utf8: UnsafeBufferPointer(rebasing: $0[0..<text.utf8.count])) }
            #expect(got?.description == expected, "\(text)")
        }
    }
}

import HydrantRecords
import HydrantTestSupport
import Testing

/// Finds `paths` (jq-style) in `json`, returning each value as `jq -r` would print it, or nil. Scans twice, with and
/// without a structural index, and records an issue when the two disagree.
private func scan(_ json: String, _ paths: [String], maximumDepth: Int = JSONScanner.defaultMaximumDepth) -> (ok: Bool, values: [String?]) {
    let parsed = paths.map { JSONPath($0.split(separator: ".").map(String.init)) }
    var results: [JSONScalar?] = []
    var indexed: [JSONScalar?] = []
    let bytes = Array(json.utf8)
    let ok = bytes.withUnsafeBufferPointer { JSONScanner.find(parsed, in: $0, results: &results, maximumDepth: maximumDepth) }
    let indexedOK = bytes.withUnsafeBufferPointer {
        JSONScanner.find(parsed, in: $0, results: &indexed, maximumDepth: maximumDepth, index: StructuralIndex())
    }
    #expect(ok == indexedOK && sameScalars(results, indexed), "the indexed scan disagrees on \(json.prefix(200))")
    return (ok, results.map { $0?.text(in: bytes) })
}

private func sameScalars(_ a: [JSONScalar?], _ b: [JSONScalar?]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0?.range == $1?.range && $0?.kind == $1?.kind }
}

/// A random JSON value as text: objects (with names drawn from a few, so paths match and members repeat), arrays,
/// strings long enough to cross 64-byte blocks and holding JSON punctuation, numbers, literals, and whitespace
/// (none, or spaces, tabs, line feeds and carriage returns) between tokens.
private func randomValue(_ random: inout SeededGenerator, depth: Int, spaced: Bool) -> String {
    let names = ["a", "b", "event", "dataset", "@timestamp", "k", "source", "ip"]
    func gap(_ random: inout SeededGenerator) -> String {
        guard spaced, random.chance(30) else { return "" }
        return [" ", "\n", "\t", "\r", "  \n "][random.below(5)]
    }
    let kind = depth > 5 ? 2 + random.below(5) : random.below(7)
    switch kind {
    case 0:
        var members: [String] = []
        for _ in 0..<random.below(6) {
            let name = names[random.below(names.count)]
            members.append(gap(&random) + "\"" + name + "\"" + gap(&random) + ":" + gap(&random)
                           + randomValue(&random, depth: depth + 1, spaced: spaced) + gap(&random))
        }
        return "{" + (members.isEmpty ? gap(&random) : members.joined(separator: ",")) + "}"
    case 1:
        var elements: [String] = []
        for _ in 0..<random.below(4) { elements.append(gap(&random) + randomValue(&random, depth: depth + 1, spaced: spaced) + gap(&random)) }
        return "[" + (elements.isEmpty ? gap(&random) : elements.joined(separator: ",")) + "]"
    case 2, 3:
        let pieces = ["x", "{", "}", "[", "]", ":", ",", " ", "é", "network.dns", "2024-01-01T00:00:00Z"]
        var text = ""
        for _ in 0..<(random.chance(20) ? 20 + random.below(60) : random.below(6)) { text += pieces[random.below(pieces.count)] }
        return "\"" + text + "\""
    case 4:
        return ["0", "-1", "42", "3.25", "-0.5e-3", "1E+9", "12345678901234567890"][random.below(7)]
    case 5:
        return ["true", "false", "null"][random.below(3)]
    default:
        return "{" + gap(&random) + "\"event\":{\"dataset\":" + randomValue(&random, depth: depth + 2, spaced: spaced) + "}}"
    }
}

/// Records shaped like the capture agent's, with strings, numbers, nested objects and arrays.
private let sampleRecords = [
    #"{"@timestamp":"2024-01-01T00:00:01.5Z","event":{"kind":"event","category":["network"],"dataset":"network.dns"},"source":{"ip":"10.0.0.7","port":53211},"dns":{"question":{"name":"example.com","type":"A"},"answers":[{"data":"93.184.216.34","ttl":300}],"response_code":"NOERROR"},"network":{"transport":"udp","community_id":"1:LQU9qZlK+B5F3KDmev6m5PMibrg="}}"#,
    #"{"@timestamp":"2024-01-01T00:00:02Z","event":{"dataset":"network.http"},"http":{"request":{"method":"GET"},"response":{"status_code":200}},"url":{"original":"/index.html?q=1&r=x"},"user_agent":{"original":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"},"source":{"bytes":-1.25e3,"packets":0},"tags":[],"empty":{},"flag":true,"none":null}"#,
]

@Suite("JSON scanner")
struct JSONScannerTests {
    @Test("finds nested members and top-level members in one pass")
    func nested() {
        let result = scan(#"{"a":1,"event":{"kind":"x","dataset":"network.flow"},"@timestamp":"t"}"#,
                          ["event.dataset", "@timestamp", "a", "event.kind"])
        #expect(result.ok)
        #expect(result.values == ["network.flow", "t", "1", "x"])
    }

    @Test("missing members, nulls, objects and arrays are absent")
    func absent() {
        let result = scan(#"{"a":null,"b":{"c":1},"d":[1,2],"e":{}}"#, ["a", "b", "d", "x", "b.x", "a.b"])
        #expect(result.ok)
        #expect(result.values == [nil, nil, nil, nil, nil, nil])
    }

    @Test("arrays are skipped, including objects inside them with matching names")
    func arraysSkipped() {
        let result = scan(#"{"list":[{"k":"no"},[{"k":"no"}]],"k":"yes"}"#, ["k", "list.k"])
        #expect(result.values == ["yes", nil])
    }

    @Test("escapes in values and member names are decoded")
    func escapes() {
        let result = scan(#"{"na\u006de":"a\"b\\c\/d\n\u00e9\ud83d\ude00","x\"y":"q"}"#, ["name"])
        #expect(result.values == ["a\"b\\c/d\né😀"])
        let quoted = scan(#"{"x\"y":"q"}"#, ["x\"y"])
        #expect(quoted.values == ["q"])
    }

    @Test("booleans and numbers print as jq -r does")
    func scalars() {
        let result = scan(#"{"t":true,"f":false,"i":-42,"d":1.50,"e":1e2,"z":0}"#, ["t", "f", "i", "d", "e", "z"])
        #expect(result.values == ["true", "false", "-42", "1.5", "100", "0"])
    }

    @Test("a repeated member: the last one wins, as in jq")
    func duplicates() {
        #expect(scan(#"{"k":"first","k":"second"}"#, ["k"]).values == ["second"])
        #expect(scan(#"{"k":"first","k":null}"#, ["k"]).values == [nil])
    }

    @Test("malformed documents yield nothing", arguments: [
        #"{"k":"v""#, #"{"k":"v"} trailing"#, #"{"k":}"#, #"{"k":"v",}"#, #"{k:"v"}"#, #"{"k":01}"#, #"{"k":1.}"#,
        #"{"k":"\x"}"#, #"{"k":"\u12"}"#, "{\"k\":\"a\u{01}b\"}", #"{"k":tru}"#, "", "   ", #"{"k":"v"}}"#,
        #"[1,2"#, #"{"k":-}"#,
    ])
    func malformed(json: String) {
        let result = scan(json, ["k"])
        #expect(!result.ok)
        #expect(result.values == [nil])
    }

    @Test("with a structural index, every byte of real records changed at every place scans as without one")
    func indexedMatchesPlainUnderMutation() {
        let paths = ["event.dataset", "@timestamp", "dns.question.name", "source.port", "flag", "http.response"]
        let replacements: [UInt8?] = [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"),
                                      UInt8(ascii: "["), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "x"),
                                      UInt8(ascii: "1"), 0x01, 0x0A, 0xC3, nil]
        var checked = 0
        for record in sampleRecords {
            let original = Array(record.utf8)
            for position in 0..<original.count {
                for replacement in replacements {
                    var mutated = original
                    if let replacement { mutated[position] = replacement } else { mutated.remove(at: position) }
                    _ = scan(String(decoding: mutated, as: UTF8.self), paths)
                    checked += 1
                }
            }
            // Every prefix, as a torn record would be.
            for length in 0..<original.count { _ = scan(String(decoding: original[0..<length], as: UTF8.self), paths) }
        }
        #expect(checked > 5_000)
        #expect(scan(sampleRecords[0], paths).values == ["network.dns", "2024-01-01T00:00:01.5Z", "example.com", "53211",
                                                        nil, nil])
    }

    @Test("with a structural index, seeded random documents and their mutations scan as without one")
    func indexedMatchesPlainOnRandomDocuments() {
        var random = SeededGenerator(seed: 20261127)
        let paths = ["event.dataset", "@timestamp", "a", "a.b", "source.ip", "k", "event", "b.a.k"]
        let replacements: [UInt8] = Array(#""{}[]:, x1-e.\"#.utf8) + [0x01, 0x09, 0x0A, 0xC3]
        var wellFormed = 0
        var indexed = 0
        let index = StructuralIndex()
        for round in 0..<3_000 {
            let document = "{" + (1...(1 + random.below(6))).map { _ in
                "\"" + ["event", "a", "k", "source", "@timestamp", "b"][random.below(6)] + "\":"
                    + randomValue(&random, depth: 1, spaced: round % 2 == 1)
            }.joined(separator: ",") + "}"
            if scan(document, paths).ok { wellFormed += 1 }
            if Array(document.utf8).withUnsafeBufferPointer({ index.build($0) }) != nil { indexed += 1 }
            var bytes = Array(document.utf8)
            for _ in 0..<4 {
                let position = random.below(bytes.count)
                switch random.below(3) {
                case 0: bytes[position] = replacements[random.below(replacements.count)]
                case 1: bytes.remove(at: position)
                default: bytes.insert(replacements[random.below(replacements.count)], at: position)
                }
                _ = scan(String(decoding: bytes, as: UTF8.self), paths)
                if bytes.isEmpty { break }
            }
        }
        // Every generated document is well-formed (and most mutations are not), so both acceptance and rejection
        // are exercised.
        #expect(wellFormed == 3_000)
        // ... and every one of them is indexed (no escapes, no control bytes inside strings).
        #expect(indexed == 3_000)
    }

    @Test("with a structural index, a record of several blocks scans as without one when any byte changes")
    func indexedMatchesPlainAcrossBlocks() {
        let record = #"{"@timestamp":"2024-01-01T00:00:01.5Z","event":{"kind":"event","dataset":"network.tls"},"#
            + #""tls":{"client":{"server_name":"www.example.com","ja3":"e7d705a3286e19ea42f587b344ee6865"}},"#
            + #""more":"{a:[1,2,{b:null}]} : , [ ] { } padding padding padding padding padding padding","#
            + #""list":[1,-2.5e3,true,false,null,{"k":"v"},[]],"n":0}"#
        let paths = ["event.dataset", "@timestamp", "tls.client.server_name", "n", "more", "list"]
        let original = Array(record.utf8)
        let replacements: [UInt8?] = [UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "]"), UInt8(ascii: ","),
                                      UInt8(ascii: ":"), UInt8(ascii: " "), UInt8(ascii: "7"), 0x0A, 0x01, nil]
        for position in 0..<original.count {
            for replacement in replacements {
                var mutated = original
                if let replacement { mutated[position] = replacement } else { mutated.remove(at: position) }
                _ = scan(String(decoding: mutated, as: UTF8.self), paths)
            }
        }
        for length in 0..<original.count { _ = scan(String(decoding: original[0..<length], as: UTF8.self), paths) }
        #expect(Array(record.utf8).withUnsafeBufferPointer { StructuralIndex().build($0) != nil })
        #expect(scan(record, paths).values == ["network.tls", "2024-01-01T00:00:01.5Z", "www.example.com", "0",
                                              "{a:[1,2,{b:null}]} : , [ ] { } padding padding padding padding padding padding",
                                              nil])
    }

    @Test("nesting deeper than the bound is refused without exhausting the stack")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(!scan(deep, ["k"]).ok)
        let objects = String(repeating: #"{"a":"#, count: 70) + "1" + String(repeating: "}", count: 70)
        #expect(!scan(objects, ["a"]).ok)
        #expect(scan(objects, ["a"], maximumDepth: 80).ok)
        // A bound far above any document's depth costs nothing more than the document allows.
        #expect(scan(objects, ["a"], maximumDepth: Int.max / 2).ok)
    }

    @Test("endOfValue finds the end of each concatenated document")
    func endOfValue() {
        let bytes = Array(#" {"a":{"b":"}"}}{"c":[1]}"#.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            #expect(JSONScanner.endOfValue(in: buffer, from: 0) == 16)
            #expect(JSONScanner.endOfValue(in: buffer, from: 16) == bytes.count)
            #expect(JSONScanner.endOfValue(in: buffer, from: 2) == 5)
            #expect(JSONScanner.endOfValue(in: buffer, from: 3) == nil)
        }
    }

    @Test("RFC 3339 times parse, with offsets and fractions; invalid ones do not")
    func rfc3339() {
        #expect(Timestamp(parsingRFC3339: "1970-01-01T00:00:00Z")?.nanoseconds == 0)
        #expect(Timestamp(parsingRFC3339: "2024-05-01T13:45:00.5Z")?.rfc3339 == "2024-05-01T13:45:00.500000000Z")
        #expect(Timestamp(parsingRFC3339: "2024-05-01T15:45:00+02:00")?.rfc3339 == "2024-05-01T13:45:00.000000000Z")
        #expect(Timestamp(parsingRFC3339: "2024-02-29t00:00:00.123456789123z")?.rfc3339 == "2024-02-29T00:00:00.123456789Z")
        #expect(Timestamp(parsingRFC3339: "1969-12-31T23:59:59Z")?.nanoseconds == -1_000_000_000)
        for bad in ["2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T13:45:00",
                    "2024-05-01 13:45Z", "2024-05-01T13:45:00.Z", "2024-05-01T13:45:00+0200", "not a time at all!!"] {
            #expect(Timestamp(parsingRFC3339: bad) == nil, "\(bad)")
        }
    }
}

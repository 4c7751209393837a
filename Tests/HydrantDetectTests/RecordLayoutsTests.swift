import Testing
@testable import HydrantDetect
import HydrantRecords
import HydrantTestSupport

/// Record layouts: records laid out like a learnt one are scanned by their layout, and no record, however close to a
/// learnt layout, is accepted or read differently from the full scan.
@Suite struct RecordLayoutsTests {
    static let fields = ["event.dataset", "source.ip", "source.port", "dns.question.name", "dns.answers.data",
                         "dns.header_flags", "http.request.method", "e.f", "flag", "a", "a.b.c", "x.y"]

    /// Records shaped like the benchmark's, and the corners of the grammar: arrays of objects, nested arrays, empty
    /// containers, literals, duplicate names, flat dotted keys, unread subtrees.
    static let bases: [String] = [
        #"{"@timestamp":"2024-01-01T00:00:00.045772082Z","event":{"dataset":"network.dns","duration":1635097},"source":{"ip":"10.10.194.35","port":39807},"dns":{"id":15135,"question":{"name":"intranet.corp.example","type":"A"},"header_flags":["RD","RA"],"answers":{"data":["10.0.1.10"],"ttl":[2330]}}}"#,
        #"{"event":{"dataset":"network.flow"},"source":{"ip":"2001:db8::1","port":1},"flag":true,"other":null,"n":-1.5e+3}"#,
        #"{"e":[{"f":"one"},{"f":"two","g":[1,[2,3]]}],"a":{"b":{"c":false}},"x.y":"flat","a":[]}"#,
        #"{"a":1,"a":2,"skip":{"a":{"b":{"c":"no"}}},"x":{"y":"nested"},"empty":{}}"#,
        #"{"http":{"request":{"method":"GET"}},"flag":[true,false,null,"s",0]}"#,
        #"{}"#,
    ]

    private static func scan(_ json: [UInt8], layouts: RecordLayouts?, index: StructuralIndex?) -> [[String]]? {
        RecordScannerTests.scan(json, fields: fields, index: index, layouts: layouts)
    }

    @Test func recordsLaidOutAlikeAreMatchedByTheirLayout() {
        let layouts = RecordLayouts()
        let index = StructuralIndex()
        let learnt = Array(Self.bases[0].utf8)
        #expect(Self.scan(learnt, layouts: layouts, index: index) != nil)
        let nodes = layouts.count
        #expect(nodes > 1)
        // Other values, other string lengths and more array elements: the same layout.
        let alike = Array(#"{"@timestamp":"x","event":{"dataset":"network.dnsX","duration":1},"source":{"ip":"::1","port":7},"dns":{"id":0,"question":{"name":"","type":"AAAA"},"header_flags":[],"answers":{"data":["a","b",3,true],"ttl":[1,2]}}}"#.utf8)
        var trie = FieldTrie()
        for (slot, name) in Self.fields.enumerated() { trie.insert(name, slot: slot) }
        let values = RecordValues()
        values.reset(slots: Self.fields.count)
        let matched = alike.withUnsafeBufferPointer { buffer -> Bool in
            values.hold(record: buffer)
            return layouts.match(UnsafePointer(values.arena), buffer.count, values: values)
        }
        #expect(matched)
        let expected = Self.scan(alike, layouts: nil, index: nil)
        #expect(expected?[0] == ["network.dnsX"])
        #expect(expected?[4] == ["a", "b", "3", "true"])
        #expect(Self.scan(alike, layouts: layouts, index: index) == expected)
        #expect(layouts.count == nodes, "a record of a known layout added nodes")
    }

    @Test func aScalarLayoutTakesAnArrayButNotAnObject() {
        let layouts = RecordLayouts()
        let index = StructuralIndex()
        #expect(Self.scan(Array(#"{"a":1,"flag":"x"}"#.utf8), layouts: layouts, index: index) == Self.expected(#"{"a":1,"flag":"x"}"#))
        for json in [#"{"a":[1,"2"],"flag":"x"}"#, #"{"a":{"b":{"c":1}},"flag":"x"}"#, #"{"a":[{"b":1}],"flag":"x"}"#,
                     #"{"a":[[1]],"flag":"x"}"#, #"{"a":[1,],"flag":"x"}"#, #"{"a":[1 ],"flag":"x"}"#,
                     #"{"a":tru,"flag":"x"}"#, #"{"a":1e+-,"flag":"x"}"#, #"{"a":,"flag":"x"}"#, #"{"a":1,"flag":"x"} "#,
                     #"{"a":1,"flag":"x"}}"#, #"{"a":1,"flag":"x\u0041"}"#, #"{"a":1,"flag":"x\q"}"#] {
            #expect(Self.scan(Array(json.utf8), layouts: layouts, index: index) == Self.expected(json), "\(json)")
        }
    }

    /// Scalars and arrays at every depth around the bound: a layout learnt with a scalar must not let an array one
    /// level deeper through when the full scan refuses it.
    @Test func theDepthBoundHoldsThroughLayouts() {
        let layouts = RecordLayouts()
        let index = StructuralIndex()
        for depth in (RecordScanner.maximumDepth - 3)...(RecordScanner.maximumDepth + 1) {
            let open = String(repeating: #"{"a":"#, count: depth - 1)
            let close = String(repeating: "}", count: depth - 1)
            for inner in ["1", "[1]", "[[1]]", "[]", #"{"b":2}"#, "1"] {
                let json = open + inner + close
                #expect(Self.scan(Array(json.utf8), layouts: layouts, index: index) == Self.expected(json),
                        "depth \(depth), \(inner)")
            }
        }
    }

    @Test func everyTruncationOfALearntRecordIsRefused() {
        let layouts = RecordLayouts()
        let index = StructuralIndex()
        for base in Self.bases { _ = Self.scan(Array(base.utf8), layouts: layouts, index: index) }
        for base in Self.bases {
            let bytes = Array(base.utf8)
            #expect(Self.scan(bytes, layouts: layouts, index: index) != nil)
            for cut in 0..<bytes.count {
                #expect(Self.scan(Array(bytes[0..<cut]), layouts: layouts, index: index) == nil, "accepted \(cut) bytes of \(base)")
            }
        }
    }

    /// Thousands of one- to three-byte mutations of the learnt records (bytes that matter to the grammar, at random
    /// places), scanned with layouts that keep learning: each result equals the full scan's.
    @Test func mutationsReadAsTheFullScanReadsThem() {
        let layouts = RecordLayouts()
        let index = StructuralIndex()
        for base in Self.bases { _ = Self.scan(Array(base.utf8), layouts: layouts, index: index) }
        let alphabet = Array(#"{}[]":,\ 0123456789-+.eEtrufalsnxAZ"#.utf8) + [0x00, 0x09, 0x0A, 0x1F, 0x7F, 0xC3, 0xFF]
        var random = SeededGenerator(seed: 0x5EED)
        var accepted = 0
        var refused = 0
        for round in 0..<6_000 {
            var bytes = Array(Self.bases[round % Self.bases.count].utf8)
            for _ in 0...(random.next() % 3) {
                guard !bytes.isEmpty else { break }
                let at = Int(random.next() % UInt64(bytes.count))
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 4 {
                case 0: bytes[at] = byte
                case 1: bytes.insert(byte, at: at)
                case 2: bytes.remove(at: at)
                default:
                    // A value's text changed within the layout: digits for digits, letters for letters.
                    if bytes[at] >= UInt8(ascii: "0") && bytes[at] <= UInt8(ascii: "9") {
                        bytes[at] = UInt8(ascii: "0") + UInt8(random.next() % 10)
                    } else if bytes[at] >= UInt8(ascii: "a") && bytes[at] <= UInt8(ascii: "z") {
                        bytes.insert(UInt8(ascii: "q"), at: at)
                    }
                }
            }
            let expected = Self.scan(bytes, layouts: nil, index: nil)
            let found = Self.scan(bytes, layouts: layouts, index: index)
            #expect(found == expected, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if expected == nil { refused += 1 } else { accepted += 1 }
        }
        #expect(accepted > 500 && refused > 500, "accepted \(accepted), refused \(refused)")
        #expect(layouts.count <= RecordLayouts.maximumNodes)
    }

    /// When the tree is full it starts over: memory stays bounded and results stay right.
    @Test func manyLayoutsStayBounded() {
        let layouts = RecordLayouts()
        let index = StructuralIndex()
        var previous = 0
        var startedOver = false
        for i in 0..<12_000 {
            // Three places where records part, 32 ways each: more layouts than the tree holds.
            let json = "{\"p\(i % 32)\":1,\"a\":\"v\(i)\",\"q\((i / 32) % 32)\":[\(i)],\"r\((i / 1024) % 32)\":true}"
            #expect(Self.scan(Array(json.utf8), layouts: layouts, index: index) == Self.expected(json))
            #expect(layouts.count <= RecordLayouts.maximumNodes)
            if layouts.count < previous { startedOver = true }
            previous = layouts.count
        }
        #expect(startedOver)
    }

    /// Records that part at one place in more ways than a node keeps: the extra ones are scanned in full, right.
    @Test func aNodeKeepsBoundedChildren() {
        let layouts = RecordLayouts()
        let index = StructuralIndex()
        for i in 0..<(3 * RecordLayouts.maximumChildren) {
            for _ in 0..<2 {
                let json = "{\"k\(i)\":1,\"a\":\"v\"}"
                #expect(Self.scan(Array(json.utf8), layouts: layouts, index: index) == Self.expected(json))
            }
        }
        // Three nodes per layout (`{"kN":`, `,"a":`, `}`), for the first `maximumChildren` names only.
        #expect(layouts.count == 1 + 3 * RecordLayouts.maximumChildren)
    }

    /// Scans each of `records` in turn the way the engine does, with one arena and one set of layouts for all (so
    /// the arena's bytes past a short record are an earlier record's), and returns each result.
    private static func scanInTurn(_ records: [[UInt8]], layouts: RecordLayouts) -> [[[String]]?] {
        var trie = FieldTrie()
        for (slot, name) in fields.enumerated() { trie.insert(name, slot: slot) }
        let values = RecordValues()
        let index = StructuralIndex()
        var scratch: [UInt8] = []
        return records.map { json in
            values.reset(slots: fields.count)
            let ok = json.withUnsafeBufferPointer {
                RecordScanner.scan($0, trie: trie, into: values, scratch: &scratch, index: index, layouts: layouts)
            }
            guard ok else { return nil }
            return values.texts(slots: fields.count)
        }
    }

    /// Texts are compared two words at a time past the record's end, where a shared arena still holds the longer
    /// record scanned before: a record cut anywhere, scanned right after the whole one, is refused.
    @Test func aCutRecordIsRefusedWhateverTheArenaHoldsPastIt() {
        let layouts = RecordLayouts()
        for base in Self.bases {
            let bytes = Array(base.utf8)
            var records: [[UInt8]] = []
            for cut in 0..<bytes.count { records += [bytes, Array(bytes[0..<cut])] }
            let results = Self.scanInTurn(records, layouts: layouts)
            for (i, result) in results.enumerated() where i % 2 == 1 {
                #expect(result == nil, "accepted \(i / 2) bytes of \(base)")
            }
            #expect(results[0] != nil)
        }
    }

    /// Member names of every length around the 8- and 16-byte words a text is compared in, each with one byte changed
    /// at every place: each changed record is read as the full scan reads it, and none as the learnt one.
    @Test func textsOfEveryLengthDifferAtEveryByte() {
        let layouts = RecordLayouts()
        var records: [[UInt8]] = []
        var expected: [[[String]]?] = []
        for length in 1...40 {
            let name = String((0..<length).map { Character(UnicodeScalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
            let json = Array("{\"\(name)\":1,\"flag\":\"v\",\"\(name)x\":2}".utf8)
            records.append(json)
            expected.append(Self.scan(json, layouts: nil, index: nil))
            for at in 0..<json.count {
                var changed = json
                changed[at] = changed[at] == UInt8(ascii: "b") ? UInt8(ascii: "c") : UInt8(ascii: "b")
                records += [changed, json]
                expected += [Self.scan(changed, layouts: nil, index: nil), expected[expected.count - 1]]
            }
        }
        let found = Self.scanInTurn(records, layouts: layouts)
        for i in records.indices {
            #expect(found[i] == expected[i], "\(String(decoding: records[i], as: UTF8.self))")
        }
    }

    /// Numbers are read a word of digits at a time: every length around the word, signs, points and exponents at
    /// every place, a number ending the record, and digits in the arena past a short record.
    @Test func numbersOfEveryShapeReadAsTheFullScanReadsThem() {
        let layouts = RecordLayouts()
        var records: [[UInt8]] = []
        for digits in 1...20 {
            let number = String((0..<digits).map { Character(UnicodeScalar(UInt8(ascii: "0") + UInt8(($0 * 7 + 3) % 10))) })
            var shapes = [number, "-" + number, number + ".5", number + "e+7", number + "E-1", number + "x", number + "--"]
            for at in 0..<digits {
                var bytes = Array(number.utf8)
                for marker in [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "+"), UInt8(ascii: "/"),
                               UInt8(ascii: ":"), 0xB0] {
                    bytes[at] = marker
                    shapes.append(String(decoding: bytes, as: UTF8.self))
                }
            }
            for shape in shapes {
                records.append(Array("{\"a\":\(shape),\"flag\":[\(shape),1]}".utf8))
                records.append(Array("{\"flag\":\(shape)".utf8))
                records.append(Array("{\"flag\":1,\"a\":\(shape)}".utf8))
                records.append(Array("{\"a\":\(shape)".utf8) + Array(repeating: UInt8(ascii: "7"), count: 20) + [UInt8(ascii: "}")])
            }
        }
        // Twice: the first pass learns the layouts, the second matches them.
        let found = Self.scanInTurn(records + records, layouts: layouts)
        for (i, record) in (records + records).enumerated() {
            #expect(found[i] == Self.scan(record, layouts: nil, index: nil), "\(String(decoding: record, as: UTF8.self))")
        }
    }

    /// String ends are searched 16 bytes at a time: strings of every length around one and two such blocks, each
    /// with a quote, a backslash, a control byte or a byte beside those classes (0x1F, 0x20, 0x21, 0x5B, 0x7F, 0x80,
    /// 0xFF) at every place, as a member's value and as array elements, also cut off at the record's end, are read
    /// as the full scan reads them, the layouts learnt from the plain strings.
    @Test func stringsOfEveryLengthHoldSpecialBytesAtEveryPlace() {
        let layouts = RecordLayouts()
        var records: [[UInt8]] = []
        for length in 0...40 {
            let plain = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            var shapes = [plain]
            for at in 0..<length {
                for special: UInt8 in [0x22, 0x5C, 0x00, 0x09, 0x1F, 0x20, 0x21, 0x5B, 0x7F, 0x80, 0xFF] {
                    var changed = plain
                    changed[at] = special
                    shapes.append(changed)
                }
            }
            for shape in shapes {
                let string = [UInt8(ascii: "\"")] + shape + [UInt8(ascii: "\"")]
                records.append(Array("{\"flag\":".utf8) + string + Array(",\"a\":1}".utf8))
                records.append(Array("{\"a\":1,\"flag\":".utf8) + string + Array("}".utf8))
                records.append(Array("{\"flag\":[".utf8) + string + Array(",".utf8) + string + Array("]}".utf8))
                records.append(Array("{\"flag\":".utf8) + string)
            }
        }
        let found = Self.scanInTurn(records + records, layouts: layouts)
        for (i, record) in (records + records).enumerated() {
            #expect(found[i] == Self.scan(record, layouts: nil, index: nil), "\(record)")
        }
    }

    @Test func literalsAreComparedWhole() {
        let layouts = RecordLayouts()
        var records: [[UInt8]] = []
        for literal in ["true", "false", "null"] {
            let bytes = Array(literal.utf8)
            var shapes = [bytes, Array(bytes.dropLast()), bytes + [UInt8(ascii: "e")], Array(bytes.dropFirst())]
            for at in bytes.indices {
                var changed = bytes
                changed[at] ^= 0x20
                shapes.append(changed)
            }
            for shape in shapes {
                records.append(Array("{\"flag\":".utf8) + shape + Array(",\"a\":1}".utf8))
                records.append(Array("{\"flag\":".utf8) + shape + Array("}".utf8))
                records.append(Array("{\"flag\":[".utf8) + shape + Array("]}".utf8))
            }
        }
        let found = Self.scanInTurn(records + records, layouts: layouts)
        for (i, record) in (records + records).enumerated() {
            #expect(found[i] == Self.scan(record, layouts: nil, index: nil), "\(String(decoding: record, as: UTF8.self))")
        }
    }

    private static func expected(_ json: String) -> [[String]]? { scan(Array(json.utf8), layouts: nil, index: nil) }
}

@testable import HydrantEnrich
@testable import HydrantRecords
import Testing

/// The structural index (quote and bracket bits) and the walk over it: the bits are exact, records it must not be
/// used for are refused, and a walk with it reads every record, well-formed or hostile, exactly as the byte walk
/// does.
@Suite struct StructuralIndexTests {
    /// A deterministic generator (SplitMix64), so a failure repeats.
    struct Mixer {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    /// The masks of 64 bytes, one byte at a time.
    static func naive(_ bytes: [UInt8]) -> (quotes: UInt64, brackets: UInt64, specials: UInt64) {
        var result: (quotes: UInt64, brackets: UInt64, specials: UInt64) = (0, 0, 0)
        for (offset, byte) in bytes.enumerated() {
            let bit: UInt64 = 1 << UInt64(offset)
            if byte == UInt8(ascii: "\"") { result.quotes |= bit }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "[")
                || byte == UInt8(ascii: "]") { result.brackets |= bit }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { result.specials |= bit }
        }
        return result
    }

    @Test func blockMasksAreExactForEveryByteValue() {
        var mixer = Mixer(state: 7)
        // JSON punctuation, neighbours of the compared values (which a borrow or a fold could confuse), and any byte.
        let likely: [UInt8] = [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x1F, 0x20, 0x00, 0x0A, 0x21, 0x23, 0x5A, 0x7C,
                               0x7E, 0x3A, 0x2C, 0x80, 0xA2, 0xDC, 0xFB, 0xFF, 0x7F, 0x3B, 0x3D, 0x02]
        for round in 0..<4000 {
            var block = [UInt8](repeating: 0, count: 64)
            for index in 0..<64 {
                block[index] = round % 3 == 0 ? UInt8(truncatingIfNeeded: mixer.next())
                    : likely[mixer.below(likely.count)]
            }
            let expected = Self.naive(block)
            let words = block.withUnsafeBufferPointer { StructuralIndex.classify64Words($0.baseAddress!) }
            #expect(words == expected, "word masks of \(block)")
            #if arch(x86_64) && canImport(_Builtin_intrinsics)
            let vector = block.withUnsafeBufferPointer { StructuralIndex.classify64SSE2($0.baseAddress!) }
            #expect(vector == expected, "SSE2 masks of \(block)")
            #endif
        }
        // Every byte value in every position of a word.
        for value in 0...255 {
            for position in 0..<64 {
                var block = [UInt8](repeating: UInt8(ascii: "a"), count: 64)
                block[position] = UInt8(value)
                let words = block.withUnsafeBufferPointer { StructuralIndex.classify64(UnsafePointer($0.baseAddress!)) }
                #expect(words == Self.naive(block))
            }
        }
    }

    @Test func gatherPacksTopBitsInOrder() {
        for pattern in 0..<256 {
            var flags: UInt64 = 0
            for bit in 0..<8 where pattern & (1 << bit) != 0 { flags |= 0x80 << UInt64(bit * 8) }
            #expect(StructuralIndex.gather(flags) == UInt64(pattern))
        }
    }

    @Test func findsQuotesAndBracketsAcrossBlocksAndAtTheEnd() throws {
        let index = StructuralIndex()
        for length in [1, 2, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200] {
            // A long string whose closing quote lands at every block boundary in turn, then a nested object.
            let text = #"{"k":""# + String(repeating: "x", count: length) + #"","o":{"a":[1]}}"#
            let bytes = Array(text.utf8)
            let masks = try #require(bytes.withUnsafeBufferPointer { index.build($0) })
            var quotes: [Int] = []
            var position = 0
            while true {
                position = masks.nextQuote(from: position)
                if position >= bytes.count { break }
                quotes.append(position)
                position += 1
            }
            #expect(quotes == bytes.indices.filter { bytes[$0] == UInt8(ascii: "\"") })
            var structural: [Int] = []
            position = 0
            while true {
                position = masks.nextStructural(from: position)
                if position >= bytes.count { break }
                structural.append(position)
                position += 1
            }
            #expect(structural == bytes.indices.filter { "\"{}[]".utf8.contains(bytes[$0]) })
            #expect(masks.nextQuote(from: bytes.count) == bytes.count)
            #expect(masks.nextQuote(from: bytes.count + 100) == bytes.count)
        }
    }

    @Test func recordMasksAreExactAtEveryLength() throws {
        // Every length up to several blocks, so the last block is partial in every way (shorter than a block, or
        // read as the 64 bytes ending the record and shifted down).
        let index = StructuralIndex()
        var mixer = Mixer(state: 99)
        let alphabet: [UInt8] = Array(#"{}[]":,ab0 .-"#.utf8)
        for length in 1...300 {
            let bytes = (0..<length).map { _ in alphabet[mixer.below(alphabet.count)] }
            let masks = try #require(bytes.withUnsafeBufferPointer { index.build($0) })
            for block in 0..<((length + 63) / 64) {
                let slice = Array(bytes[(block * 64)..<min(length, block * 64 + 64)])
                let expected = Self.naive(slice)
                #expect(masks.quotes[block] == expected.quotes, "quotes of block \(block), length \(length)")
                #expect(masks.brackets[block] == expected.brackets, "brackets of block \(block), length \(length)")
            }
            // The quotes-only build finds the same quotes (and no brackets).
            let quoteMasks = try #require(bytes.withUnsafeBufferPointer { index.buildQuotes($0) })
            for block in 0..<((length + 63) / 64) {
                let slice = Array(bytes[(block * 64)..<min(length, block * 64 + 64)])
                #expect(quoteMasks.quotes[block] == Self.naive(slice).quotes, "quotes-only, block \(block), length \(length)")
                #expect(quoteMasks.brackets[block] == 0)
            }
        }
        // A backslash in a partial last block is seen (the record is then walked byte by byte).
        for length in [65, 70, 100, 127, 128, 129] {
            var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            bytes[0] = UInt8(ascii: "\"")
            bytes[length - 1] = UInt8(ascii: "\"")
            bytes[length - 2] = UInt8(ascii: "\\")
            #expect(bytes.withUnsafeBufferPointer { index.build($0) } == nil, "backslash at the end, length \(length)")
        }
    }

    @Test func refusesRecordsTheBitsCannotDescribe() {
        let index = StructuralIndex()
        func indexed(_ text: String) -> Bool { Array(text.utf8).withUnsafeBufferPointer { index.build($0) } != nil }
        #expect(indexed(#"{"a":"b"}"#))
        // Whitespace between tokens, a trailing newline, pretty printing: outside strings, so usable.
        #expect(indexed(" {\t\"a\" :\r\n \"b\" }\n"))
        // An escape anywhere, a raw control byte in a string or anywhere else, a newline inside a string.
        #expect(!indexed(#"{"a":"b\"c"}"#))
        #expect(!indexed(#"{"a":"\u0041"}"#))
        #expect(!indexed("{\"a\":\"b\u{01}\"}"))
        #expect(!indexed("{\"a\":1\u{01}}"))
        #expect(!indexed("{\"a\":\"b\nc\"}"))
        #expect(!indexed("{\"a\":\"b\tc\"}"))
        // An unterminated string followed by a newline: the newline counts as inside it.
        #expect(!indexed("{\"a\":\"b\n"))
        // Too long to index.
        #expect(!indexed(#"{"a":""# + String(repeating: "x", count: StructuralIndex.maximumBytes) + #""}"#))
        // Empty input: nothing to index, nothing to crash on.
        #expect([UInt8]().withUnsafeBufferPointer { index.build($0) }?.count ?? 0 == 0)
    }

    /// The records the walk must agree on: flow records and variations on every point of the grammar it handles.
    static let records: [String] = [
        #"{"@timestamp":"2024-05-01T13:45:00.000000000Z","event":{"dataset":"network.flow","action":"flow_end"},"source":{"ip":"10.1.2.3","port":1024,"bytes":1200,"packets":4},"destination":{"ip":"81.2.69.142","port":443,"bytes":5400,"packets":6},"network":{"transport":"tcp","iana_number":6,"type":"ipv4","community_id":"1:abcdefghijklmnopqrstuvwxyz0="}}"#,
        // members in unusual order, fields of the same name nested deeper, arrays of objects
        #"{"network":{"direction":"inbound"},"destination":{"x":[{"ip":"1.1.1.1"},[]],"ip":"10.0.0.1"},"source":{"nat":{"ip":"9.9.9.9"},"ip":"8.8.8.8","geo":{}}}"#,
        // whitespace everywhere between tokens
        " { \"source\" :\t{ \"ip\" : \"10.0.0.1\" , \"asset\" : null } ,\r\n\"destination\":{\"ip\":\"10.0.0.2\"}\n}\n",
        // escaped quotes and backslashes, Unicode escapes, in names and values
        #"{"source":{"ip":"10.0.0.\u0031","name":"a\"b\\c"},"de\u0073tination":{"ip":"1.2.3.4"},"url":{"domain":"ex\"ample.com","original":"/a\\b"}}"#,
        // every field the enricher reads
        #"{"dns":{"question":{"name":"example.com","type":"A"}},"url":{"domain":"example.com","original":"/path?q=1#f"},"tls":{"client":{"server_name":"example.org","ja3":"abc","ja4":"def"}},"threat":{"x":1},"source":{"ip":"1.2.3.4"}}"#,
        // scores already there, a question that is not an object, tls client that is a string
        #"{"dns":{"question":{"name":"a.b","entropy":1.5,"dga_score":0.2}},"tls":{"client":"x"},"url":"y"}"#,
        #"{"dns":{"question":"q"},"network":"lan","source":"10.0.0.1","destination":[1,2,{"ip":"1.1.1.1"}]}"#,
        // absent endpoints, empty objects
        #"{}"#, #"{"source":{},"destination":{}}"#, #"{"event":{"kind":"x"}}"#,
        // literals and numbers of every shape
        #"{"a":true,"b":false,"c":null,"d":-1.5e+10,"e":0,"f":[true,null,-0.0E-1],"source":{"ip":"1.1.1.1","n":1E5}}"#,
        // brackets inside strings, strings of brackets, quotes at odd places
        #"{"a":"{[}]","b":{"c":"]}","d":["[{"]},"source":{"ip":"}{"}}"#,
        // deep nesting at and past the bound
        #"{"a":"# + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}",
        #"{"a":"# + String(repeating: "[", count: 65) + String(repeating: "]", count: 65) + "}",
        #"{"a":"# + String(repeating: "{\"b\":", count: 70) + "1" + String(repeating: "}", count: 70) + "}",
        // hostile: mismatched brackets inside skipped values, missing colons and commas, garbage
        #"{"a":{"b":[}],"source":{"ip":"1.1.1.1"}}"#,
        #"{"a" 1}"#, #"{"a":1 "b":2}"#, #"{"a":1,}"#, #"{,"a":1}"#, #"{"a":}"#, #"{"a":"#, #"{"a"#, "{", "}", "",
        "   ", #"[{"a":1}]"#, #"{"a":1}{"b":2}"#, #"{"a":1} x"#, #"{"a":tru}"#, #"{"a":nul,"b":1}"#, #"{"a":"b}"#,
        #"{"a":["b}"#, "{\"a\":\"\u{7F}\u{80}\u{FF}\"}", "{\"a\":\"caf\u{E9}\",\"source\":{\"ip\":\"\u{663}.1.1.1\"}}",
        #"{"a":{"b":"c"}}}}"#, #"{"a":]}"#, #"{"a":[{]}}"#, #""a""#, "\"", "\"\"", #"{"":{"":""}}"#,
    ]

    @Test func walkWithTheIndexReadsWhatTheByteWalkReads() {
        let index = StructuralIndex()
        var checked = 0
        func compare(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { record in
                let plain = RecordLayout.read(record)
                let masks = index.build(record)
                let indexed = RecordLayout.read(record, masks: masks)
                #expect(plain == indexed, "\(String(decoding: bytes, as: UTF8.self))")
                if masks != nil { checked += 1 }
            }
        }
        var mixer = Mixer(state: 42)
        let noise: [UInt8] = Array(#"{}[]":,\ "0-tfn.eE+uX"#.utf8) + [0x0A, 0x09, 0x01, 0x80, 0xFF]
        for text in Self.records {
            let bytes = Array(text.utf8)
            compare(bytes)
            // Every truncation, and every single-byte change to punctuation or noise.
            for end in 0..<bytes.count { compare(Array(bytes[..<end])) }
            for _ in 0..<min(400, bytes.count * 4) {
                var changed = bytes
                guard !changed.isEmpty else { break }
                let position = mixer.below(changed.count)
                switch mixer.below(3) {
                case 0: changed[position] = noise[mixer.below(noise.count)]
                case 1: changed.insert(noise[mixer.below(noise.count)], at: position)
                default: changed.remove(at: position)
                }
                compare(changed)
            }
        }
        // Well-formed records padded to every length around the block size.
        for padding in 0..<140 {
            compare(Array((#"{"pad":""# + String(repeating: "p", count: padding) + #"","source":{"ip":"10.0.0.1"}}"#).utf8))
        }
        #expect(checked > 1000, "the index was used for \(checked) records")
    }
}

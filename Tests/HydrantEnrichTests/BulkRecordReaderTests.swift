@testable import HydrantEnrich
@testable import HydrantRecords
import Testing

/// The bulk check: its masks are the bytes' classes; whenever it returns a layout, it is the one the general walk
/// reads (on generated records, every truncation and thousands of mutations); it reads the records the project
/// writes; and it gives up on what it does not check, never reading past a record.
@Suite struct BulkRecordReaderTests {
    typealias Mixer = StructuralIndexTests.Mixer

    /// The bulk reader's answer for `text` and the general walk's without the index (the reference).
    static func both(_ bytes: [UInt8], _ reader: BulkRecordReader) -> (bulk: RecordLayout?, reference: RecordLayout?) {
        bytes.withUnsafeBufferPointer { record in (reader.read(record), RecordLayout.read(record)) }
    }

    @Test func masksAreTheBytesClasses() {
        var mixer = Mixer(state: 21)
        let alphabet: [UInt8] = Array(#"{}[]":,\/0123456789.eE+-tfnx "#.utf8) + [0x00, 0x09, 0x0A, 0x1F, 0x20, 0x7F, 0x80, 0xFF]
        var block = [UInt8](repeating: 0, count: 64)
        for round in 0..<4000 {
            for index in 0..<64 {
                block[index] = round % 4 == 0 ? UInt8(truncatingIfNeeded: mixer.next()) : alphabet[mixer.below(alphabet.count)]
            }
            block.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress else { return }
                let fast = TokenMasks.classify(base)
                var reference = TokenMasks.classifyBytes(base)
                #expect((fast.specials == 0) == (reference.specials == 0))
                reference.specials = fast.specials
                #expect(fast == reference)
                for value in 0..<64 {
                    let byte = bytes[value]
                    let isNumber = (reference.numberBytes >> UInt64(value)) & 1 != 0
                    #expect(isNumber == CompactRecordReader.isNumberByte(byte), "byte \(byte)")
                }
            }
        }
    }

    static let flow = CompactRecordReaderTests.flow

    @Test func readsAFlowRecordItself() throws {
        let reader = BulkRecordReader()
        for record in [Self.flow, Self.flow + "\n", Self.flow + "\r\n"] {
            let bytes = Array(record.utf8)
            let (bulk, reference) = Self.both(bytes, reader)
            let layout = try #require(bulk)
            #expect(layout == reference)
            func text(_ range: Range<Int>?) -> String? { range.map { String(decoding: bytes[$0], as: UTF8.self) } }
            #expect(text(layout.source.ip) == "10.1.2.3")
            #expect(text(layout.destination.ip) == "81.2.69.142")
            #expect(layout.close == Array(Self.flow.utf8).count - 1)
            #expect(bytes[layout.source.close] == UInt8(ascii: "}") && bytes[layout.networkClose] == UInt8(ascii: "}"))
            #expect(layout.hasNetwork && !layout.hasDirection && !layout.hasThreat && !layout.source.hasGeo)
        }
    }

    /// Records it must read (compact, objects, strings and numbers only) and their layouts, field by field against
    /// the general walk.
    static let accepted: [String] = [
        "{}", #"{"a":1}"#, #"{"a":{}}"#, #"{"source":{}}"#, #"{"source":"x"}"#, #"{"network":1}"#,
        #"{"source":{"ip":"1.1.1.1","ip":"2.2.2.2"},"source":{"port":1},"destination":{"ip":"3.3.3.3","geo":{"x":{"y":"}"}},"as":1,"asset":"a"}}"#,
        #"{"source":{"ip":1,"geo":"t"},"destination":{"ip":{"a":"b"}},"source":"x","network":{"direction":"in"},"network":{"type":"ipv4"}}"#,
        #"{"dns":{"question":{"name":"a.example.com","entropy":1,"dga_score":"f"},"question":{"type":"A"}},"dns":{"answers":{}}}"#,
        #"{"dns":{"question":{"name":"a.b"},"question":"q"},"dns":"x","url":{"domain":"example.com","original":"/a?b","domain":7}}"#,
        #"{"tls":{"client":{"ja3":"a","ja4":"b","server_name":"s"},"client":"c"},"tls":{"version":"1.3","client":{"server_name":{"a":1},"ja3":{}}}}"#,
        #"{"url":{},"threat":1,"threat":{"a":{"b":{}}},"destination":"d","destination":{}}"#,
        #"{"a":-0.5e+7,"b":1E-2,"c":-,"d":0.1.2,"e":-e,"i":{}}"#,
        #"{"a":"{}[]:,","source":{"ip":"::ffff:10.0.0.1","name":"caf\#u{E9} \#u{1F600}\#u{7F}"}}"#,
        #"{"":"","source":{"":1,"ip":""},"sourcex":{"ip":"1"},"sourc":{"ip":"2"},"Source":{"ip":"3"}}"#,
        #"{"network":{"directio":1,"directionx":2,"Direction":3},"tls":{"client":{"ja5":"x","server_nam":"y"}}}"#,
        #"{"dns":{"question":{"entropyx":1,"dga_scor":2,"nam":"n"}},"url":{"domai":"d","originalx":"o"}}"#,
        // keys of interest one level too deep or too shallow
        #"{"ip":"1.1.1.1","question":{"name":"x"},"client":{"ja3":"a"},"x":{"source":{"ip":"2.2.2.2"}}}"#,
        #"{"a":"# + String(repeating: "{\"b\":", count: 62) + "1" + String(repeating: "}", count: 62) + "}",
    ]

    @Test func readsTheRecordsItChecks() {
        let reader = BulkRecordReader()
        for text in Self.accepted + [Self.flow] {
            let (bulk, reference) = Self.both(Array(text.utf8), reader)
            #expect(bulk != nil, "\(text)")
            #expect(reference != nil, "\(text)")
            #expect(bulk == reference, "\(text)")
        }
    }

    @Test func givesUpOnWhatItDoesNotCheck() {
        let reader = BulkRecordReader()
        let long = #"{"a":""# + String(repeating: "x", count: BulkRecordReader.maximumBytes) + #""}"#
        let deep = #"{"a":"# + String(repeating: "{\"b\":", count: 64) + "1" + String(repeating: "}", count: 64) + "}"
        for text in [#"{ "a":1}"#, #"{"a" :1}"#, #"{"a": 1}"#, #"{"a":1 }"#, #" {"a":1}"#, #"{"a":[]}"#, #"{"a":true}"#,
                     #"{"a":null}"#, #"{"a":"\""}"#, #"{"a\\":1}"#, #"{"a":"\u0041"}"#, "{\"a\":\"\t\"}", "{\"a\":\n1}",
                     #"{"a":1}x"#, #"{"a":1}{}"#, #"{"a":1,}"#, #"{,"a":1}"#, #"{"a":}"#, #"{"a"}"#, #"{"a":1:2}"#,
                     #"{"a":"b":1}"#, #"{"a","b":1}"#, #"{"a":1"b":2}"#, #"{"a":"b""c":1}"#, #"{"a":+1}"#, #"{"a":.1}"#,
                     #"{"a":e1}"#, #"{"a":1x}"#, #"{"a":{}"b":1}"#, #"{"a":{}}}"#, #"{"a":{}"#, #"{"a":"}"#, #"{"a":1/2}"#,
                     #"{"a"{}}"#, #"{"a":1{}}"#, #"{{}}"#, #"{"a":{,"b":1}}"#, #"{"a":{}:1}"#, "{", "}", "", "{\"", long, deep] {
            let (bulk, _) = Self.both(Array(text.utf8), reader)
            #expect(bulk == nil, "\(text.prefix(80))")
        }
    }

    /// A random record: members of the enricher's keys and others in any order, nested objects, strings with
    /// structural bytes, numbers; sometimes arrays, literals, escapes or whitespace, which the bulk check leaves to
    /// the member walk. Returns the text and whether it is of the kind the bulk check must read.
    static func generate(_ mixer: inout Mixer, depth: Int = 1) -> (text: String, plain: Bool) {
        let keys = ["source", "destination", "network", "dns", "url", "tls", "threat", "ip", "geo", "as", "asset",
                    "direction", "question", "name", "entropy", "dga_score", "domain", "original", "client",
                    "server_name", "ja3", "ja4", "port", "bytes", "x", "", "sourc", "ja"]
        var plain = true
        var text = "{"
        let members = mixer.below(depth == 1 ? 7 : 4)
        for index in 0..<members {
            if index > 0 { text += "," }
            text += "\"" + keys[mixer.below(keys.count)] + "\":"
            switch mixer.below(depth < 4 ? 12 : 8) {
            case 0, 1, 2:
                let pieces = ["10.0.0.1", "a.example.com", "{", "}", ":", ",", "[", "]", "é", " ", "/p?q", "x"]
                text += "\"" + (0..<mixer.below(4)).map { _ in pieces[mixer.below(pieces.count)] }.joined() + "\""
            case 3, 4:
                let numbers = ["0", "-1", "1.5e+3", "42", "-", "1E-2", "7.0"]
                text += numbers[mixer.below(numbers.count)]
            case 5:
                let odd = [#"[1,{"a":"b"}]"#, "true", "null", "false", #""a\"b""#, #""\u0041""#, " 1", "[]"]
                text += odd[mixer.below(odd.count)]
                plain = false
            case 6, 7:
                text += "{}"
            default:
                let nested = generate(&mixer, depth: depth + 1)
                text += nested.text
                plain = plain && nested.plain
            }
        }
        return (text + "}", plain)
    }

    @Test func agreesWithTheGeneralWalkOnGeneratedAndMutatedRecords() {
        let reader = BulkRecordReader()
        var mixer = Mixer(state: 99)
        var compared = 0
        var gaveUp = 0
        var mutationsCompared = 0
        func check(_ bytes: [UInt8]) -> Bool {
            let (bulk, reference) = Self.both(bytes, reader)
            guard let bulk else {
                gaveUp += 1
                return false
            }
            compared += 1
            #expect(bulk == reference, "\(String(decoding: bytes, as: UTF8.self))")
            return true
        }
        let noise: [UInt8] = Array(#"{}[]":,"0-9tfnlue.E+ x\"#.utf8) + [0x0A, 0x00, 0x80]
        var texts = CompactRecordReaderTests.records + Self.accepted
        for _ in 0..<3000 {
            let (text, plain) = Self.generate(&mixer)
            #expect(check(Array(text.utf8)) || !plain, "\(text)")
            if texts.count < 400 || mixer.below(10) == 0 { texts.append(text) }
        }
        for text in texts {
            let bytes = Array(text.utf8)
            for end in 0..<bytes.count { _ = check(Array(bytes[..<end])) }
            for _ in 0..<min(200, bytes.count * 3) {
                var changed = bytes
                for _ in 0...mixer.below(3) {
                    guard !changed.isEmpty else { break }
                    let position = mixer.below(changed.count)
                    switch mixer.below(4) {
                    case 0: changed[position] = noise[mixer.below(noise.count)]
                    case 1: changed.insert(noise[mixer.below(noise.count)], at: position)
                    case 2: changed.remove(at: position)
                    default:
                        let from = mixer.below(changed.count)
                        let length = min(changed.count - from, 1 + mixer.below(12))
                        changed.insert(contentsOf: changed[from..<(from + length)], at: position)
                    }
                }
                if check(changed) { mutationsCompared += 1 }
            }
        }
        #expect(compared > 5000, "compared \(compared) layouts")
        #expect(mutationsCompared > 1000, "compared \(mutationsCompared) layouts of mutated records")
        #expect(gaveUp > 5000, "gave up on \(gaveUp) records")
    }

    @Test func readsRecordsOfEveryLengthAroundTheBlocks() {
        // Records ending at and beside 64-byte boundaries, with and without a newline, in a larger buffer: the
        // check reads only the record's bytes (the sanitizer build would catch a read past them).
        let reader = BulkRecordReader()
        for length in 2...200 {
            let filler = max(0, length - #"{"source":{"ip":"1.1.1.1"},"a":""}"#.utf8.count)
            let text = #"{"source":{"ip":"1.1.1.1"},"a":""# + String(repeating: "y", count: filler) + #""}"#
            for suffix in ["", "\n"] {
                let bytes = Array((text + suffix).utf8)
                let (bulk, reference) = Self.both(bytes, reader)
                #expect(bulk != nil && bulk == reference, "\(text)")
                // The same record followed by garbage in the buffer, read through a slice of exactly its bytes.
                let padded = bytes + Array(#"}"\"#.utf8)
                padded.withUnsafeBufferPointer { all in
                    let record = UnsafeBufferPointer(rebasing: all[..<bytes.count])
                    #expect(reader.read(record) == bulk)
                }
            }
        }
    }

    /// `bytes` with a space after the first `"event":`.
    static func spaced(_ bytes: [UInt8]) -> [UInt8] {
        let key = Array(#""event":"#.utf8)
        guard let start = (0...(bytes.count - key.count)).first(where: { Array(bytes[$0..<($0 + key.count)]) == key })
        else { return bytes }
        var result = bytes
        result.insert(0x20, at: start + key.count)
        return result
    }

    /// `bytes` without the space after the first `"event":`.
    static func unspaced(_ bytes: [UInt8]) -> [UInt8] {
        let key = Array(#""event": "#.utf8)
        guard let start = (0...(bytes.count - key.count)).first(where: { Array(bytes[$0..<($0 + key.count)]) == key })
        else { return bytes }
        var result = bytes
        result.remove(at: start + key.count - 1)
        return result
    }

    @Test func enricherOutputIsTheSameWithEitherWalk() throws {
        // The enricher's output for plain records (read in bulk) and for the same records with a space after
        // each colon of `event` (walked member by member) differ only by those spaces.
        let records = [Self.flow, #"{"event":{"a":"b"},"source":{"ip":"81.2.69.142"},"destination":{"ip":"10.0.0.1"}}"#]
        let resources = EnrichmentResources(homeNetworks: try HomeNetworks())
        let enricher = Enricher(resources: resources)
        for text in records {
            let plain = Array(text.utf8)
            let spaced = Self.spaced(plain)
            #expect(spaced.count == plain.count + 1)
            let one = enricher.enrich(plain, ends: [plain.count])
            let other = enricher.enrich(spaced, ends: [spaced.count])
            #expect(one.bytes == Self.unspaced(other.bytes))
            #expect(String(decoding: one.bytes, as: UTF8.self).contains(#""direction":"#))
        }
    }
}

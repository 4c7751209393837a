@testable import HydrantEnrich
@testable import HydrantRecords
import Testing

/// The compact walk: whenever it returns a layout, it is the one the general walk reads, for well-formed and
/// hostile records alike; it gives up (and the general walk decides) on what it does not handle; and it is the walk
/// that runs for the records the project writes.
@Suite struct CompactRecordReaderTests {
    /// The compact walk's answer for `bytes`, and the general walk's without the index (the reference).
    static func both(_ bytes: [UInt8], _ index: StructuralIndex) -> (compact: RecordLayout?, reference: RecordLayout?,
                                                                      indexed: Bool) {
        bytes.withUnsafeBufferPointer { record in
            let reference = RecordLayout.read(record)
            guard let masks = index.build(record) else { return (nil, reference, false) }
            return (CompactRecordReader.read(record, masks: masks), reference, true)
        }
    }

    static let flow = #"{"@timestamp":"2024-05-01T13:45:00.000000000Z","event":{"dataset":"network.flow","action":"flow_end"},"source":{"ip":"10.1.2.3","port":1024,"bytes":1200,"packets":4},"destination":{"ip":"81.2.69.142","port":443,"bytes":5400,"packets":6},"network":{"transport":"tcp","iana_number":6,"type":"ipv4","community_id":"1:abcdefghijklmnopqrstuvwxyz0="}}"#

    /// Compact records over every branch of the walk: each field it reads, duplicates, nesting, literals, numbers of
    /// every shape, values of the wrong kind, empty objects, raw UTF-8.
    static let records: [String] = StructuralIndexTests.records + [
        flow,
        #"{"source":{"ip":"1.1.1.1","ip":"2.2.2.2"},"source":{"port":1},"destination":{"ip":"3.3.3.3","geo":{"x":[1,{"y":"}"}]},"as":1,"asset":null}}"#,
        #"{"source":{"ip":1,"geo":true},"destination":{"ip":null},"source":"x","network":{"direction":"in"},"network":{"type":"ipv4"}}"#,
        #"{"dns":{"question":{"name":"a.example.com","entropy":1,"dga_score":false},"question":{"type":"A"}},"dns":{"answers":[]}}"#,
        #"{"dns":"x","url":{"domain":"example.com","original":"/a?b","domain":7},"tls":{"client":{"ja3":"a","ja4":"b","server_name":"s"},"client":"c"}}"#,
        #"{"tls":{"version":"1.3","client":{"server_name":{"a":1},"ja3":["x"]}},"url":[],"threat":null,"threat":{"a":[[[]]]}}"#,
        #"{"a":-0.5e+7,"b":1E-2,"c":-,"d":0.1.2,"e":true,"f":false,"g":null,"h":[true,false,null],"i":{}}"#,
        #"{"a":tru,"b":1}"#, #"{"a":nulll}"#, #"{"a":falsey}"#, #"{"a":x}"#, #"{"a":1x}"#, #"{"a":"b"c}"#,
        #"{"source":{},"destination":{},"network":{},"dns":{"question":{}},"url":{},"tls":{"client":{}}}"#,
        "{\"source\":{\"ip\":\"10.0.0.1\",\"name\":\"caf\u{E9} \u{1F600}\"},\"x\":\"\u{7F}\"}",
        #"{"source":{"ip":"10.0.0.1"}}"# + "\n", #"{"source":{"ip":"10.0.0.1"}}"# + "\r\n \t",
        #"{"a":{"b":{"c":{"d":[1,2,{"e":"]"}]}}},"source":{"ip":"::ffff:10.0.0.1"}}"#,
        #"{"a":1,"b":"#, #"{"source":{"ip":"#, #"{"source":{"ip":"1"#, #"{"source":{"ip":"1.1.1.1"}"#,
        // skipped values whose strings hold brackets and cross 64-byte words, nested at and past the depth bound
        #"{"event":{"a":"# + String(repeating: "{\"k\":\"}]{[\",", count: 9) + #""z":1"# + String(repeating: "}", count: 9)
            + #","x":"}","source":{"ip":"10.0.0.1"}}"#,
        #"{"event":{"s":""# + String(repeating: "}", count: 70) + #""},"source":{"ip":"10.0.0.1"}}"#,
        #"{"a":["# + String(repeating: "[\"]\",", count: 63) + "1" + String(repeating: "]", count: 63) + "]}",
        #"{"a":["# + String(repeating: "[\"]\",", count: 64) + "1" + String(repeating: "]", count: 64) + "]}",
    ]

    @Test func agreesWithTheGeneralWalkOnEveryRecordAndMutation() {
        let index = StructuralIndex()
        var compared = 0
        var gaveUp = 0
        func check(_ bytes: [UInt8]) {
            let (compact, reference, indexed) = Self.both(bytes, index)
            guard indexed else { return }
            if let compact {
                compared += 1
                #expect(compact == reference, "\(String(decoding: bytes, as: UTF8.self))")
            } else {
                gaveUp += 1
            }
        }
        var mixer = StructuralIndexTests.Mixer(state: 8)
        let noise: [UInt8] = Array(#"{}[]":,"0-9tfnlue.E+ x"#.utf8) + [0x0A, 0x80]
        for text in Self.records {
            let bytes = Array(text.utf8)
            check(bytes)
            for end in 0..<bytes.count { check(Array(bytes[..<end])) }
            for _ in 0..<min(600, bytes.count * 6) {
                var changed = bytes
                guard !changed.isEmpty else { break }
                // One to three changes, to reach states one change cannot.
                for _ in 0...mixer.below(3) {
                    guard !changed.isEmpty else { break }
                    let position = mixer.below(changed.count)
                    switch mixer.below(4) {
                    case 0: changed[position] = noise[mixer.below(noise.count)]
                    case 1: changed.insert(noise[mixer.below(noise.count)], at: position)
                    case 2: changed.remove(at: position)
                    default:
                        // A copy of another stretch of the record: keys, values and brackets in unusual places.
                        let from = mixer.below(changed.count)
                        let length = min(changed.count - from, 1 + mixer.below(12))
                        changed.insert(contentsOf: changed[from..<(from + length)], at: position)
                    }
                }
                check(changed)
            }
        }
        #expect(compared > 2500, "compared \(compared) layouts")
        #expect(gaveUp > 1000, "gave up on \(gaveUp) records")
    }

    @Test func readsAFlowRecordItself() throws {
        let bytes = Array(Self.flow.utf8)
        let index = StructuralIndex()
        let (compact, reference, indexed) = Self.both(bytes, index)
        #expect(indexed)
        let layout = try #require(compact)
        #expect(layout == reference)
        func text(_ range: Range<Int>?) -> String? { range.map { String(decoding: bytes[$0], as: UTF8.self) } }
        #expect(text(layout.source.ip) == "10.1.2.3")
        #expect(text(layout.destination.ip) == "81.2.69.142")
        #expect(layout.close == bytes.count - 1)
        #expect(bytes[layout.source.close] == UInt8(ascii: "}") && bytes[layout.networkClose] == UInt8(ascii: "}"))
        #expect(layout.hasNetwork && !layout.hasDirection && !layout.hasThreat && !layout.source.hasGeo)
    }

    @Test func givesUpOnWhatItDoesNotHandle() {
        let index = StructuralIndex()
        // Whitespace between tokens, a leading space, a member after the object: the general walk decides.
        for text in [#"{ "source":{"ip":"10.0.0.1"}}"#, #"{"source" :{"ip":"10.0.0.1"}}"#, #"{"source": {"ip":"1"}}"#,
                     #"{"source":{"ip":"1"} }"#, #" {"a":1}"#, #"{"a":1,"#, #"{"a":1}x"#, #"{"a":1}{}"#] {
            let (compact, _, indexed) = Self.both(Array(text.utf8), index)
            #expect(indexed && compact == nil, "\(text)")
        }
    }

    @Test func numberBytesAreExactlyTheLooseSet() {
        for value in 0...255 {
            let byte = UInt8(value)
            let expected = (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: "-")
            #expect(CompactRecordReader.isNumberByte(byte) == expected, "byte \(value)")
        }
    }

    @Test func enricherLayoutIsTheGeneralOneForEveryRecord() {
        // Indexed or not, compact or not: the layout the enricher uses is the general walk's.
        let index = StructuralIndex()
        for text in Self.records + [#"{"source":{"ip":"10.0.0.\u0031"},"a":"\"{"}"#, "{\"a\":\"b\tc\",\"source\":{}}"] {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { record in
                #expect(Enricher.layout(of: record, index.build(record)) == RecordLayout.read(record), "\(text)")
            }
        }
    }
}

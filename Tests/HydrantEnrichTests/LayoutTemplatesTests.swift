@testable import HydrantEnrich
@testable import HydrantRecords
import Testing

/// Learnt record templates: a layout a template returns is always the one the walks read (for matching, mutated,
/// truncated and hostile records alike), records of a learnt shape match, and the templates stay bounded.
@Suite struct LayoutTemplatesTests {
    /// The layout the enricher's walks read for `bytes` (index, compact walk, else the general walk).
    static func walked(_ bytes: [UInt8], _ index: StructuralIndex) -> RecordLayout? {
        bytes.withUnsafeBufferPointer { Enricher.layout(of: $0, index.build($0)) }
    }

    /// Learns `bytes` when the compact walk reads it; true when it did.
    @discardableResult
    static func learn(_ bytes: [UInt8], _ templates: LayoutTemplates, _ index: StructuralIndex) -> Bool {
        bytes.withUnsafeBufferPointer { record in
            guard let masks = index.build(record), let layout = CompactRecordReader.read(record, masks: masks) else {
                return false
            }
            let before = templates.learnt
            templates.learn(record, layout)
            return templates.learnt > before
        }
    }

    static func match(_ bytes: [UInt8], _ templates: LayoutTemplates) -> RecordLayout? {
        bytes.withUnsafeBufferPointer { templates.match($0) }
    }

    /// A flow record as the capture agent writes it, with these values.
    static func flow(_ source: String, _ destination: String, port: Int, timestamp: String = "2024-05-01T13:45:00Z")
        -> [UInt8] {
        Array((#"{"@timestamp":"\#(timestamp)","event":{"dataset":"network.flow","action":"flow_end"},"#
            + #""source":{"ip":"\#(source)","port":\#(port),"bytes":1200,"packets":4},"#
            + #""destination":{"ip":"\#(destination)","port":443,"bytes":5400,"packets":6},"#
            + #""network":{"transport":"tcp","iana_number":6,"type":"ipv4","community_id":"1:abc="}}"#).utf8)
    }

    /// Changes that mostly land inside values (so that many mutated records still match) and changes of grammar
    /// bytes (so that many do not).
    static func mutate(_ bytes: [UInt8], _ mixer: inout StructuralIndexTests.Mixer) -> [UInt8] {
        let valueBytes: [UInt8] = Array("0123456789abcxyz.-+eE:/ ".utf8) + [0xC3, 0xA9]
        let grammar: [UInt8] = Array(#"{}[]":,\tfn"#.utf8) + [0x0A, 0x00, 0x5C, 0x1F]
        var changed = bytes
        if mixer.below(2) == 0 {
            // A letter or digit changed to another: inside a value the record still matches, inside a name it does not.
            let alphanumerics = Array("0123456789abcdefxyz".utf8)
            let candidates = changed.indices.filter { alphanumerics.contains(changed[$0]) }
            for _ in 0...mixer.below(2) where !candidates.isEmpty {
                changed[candidates[mixer.below(candidates.count)]] = alphanumerics[mixer.below(alphanumerics.count)]
            }
            return changed
        }
        for _ in 0...mixer.below(3) {
            guard !changed.isEmpty else { break }
            let position = mixer.below(changed.count)
            let pool = mixer.below(4) == 0 ? grammar : valueBytes
            let byte = pool[mixer.below(pool.count)]
            switch mixer.below(4) {
            case 0, 1: changed[position] = byte
            case 2: changed.insert(byte, at: position)
            default: changed.remove(at: position)
            }
        }
        return changed
    }

    @Test func aMatchIsTheWalksLayoutOnEveryTruncationAndMutation() {
        let index = StructuralIndex()
        var mixer = StructuralIndexTests.Mixer(state: 10)
        var hits = 0
        var misses = 0
        var learnt = 0
        func check(_ bytes: [UInt8], _ templates: LayoutTemplates) {
            if let matched = Self.match(bytes, templates) {
                hits += 1
                let walked = Self.walked(bytes, index)
                #expect(matched == walked, "\(String(decoding: bytes, as: UTF8.self))")
                #expect(matched == bytes.withUnsafeBufferPointer { RecordLayout.read($0) })
            } else {
                misses += 1
            }
        }
        let records = CompactRecordReaderTests.records.map { Array($0.utf8) }
            + [Self.flow("10.1.2.3", "81.2.69.142", port: 1024), Self.flow("", "1", port: -0)]
        for bytes in records {
            let templates = LayoutTemplates()
            guard Self.learn(bytes, templates, index) else { continue }
            learnt += 1
            check(bytes, templates)
            for end in 0..<bytes.count { check(Array(bytes[..<end]), templates) }
            for _ in 0..<min(1500, bytes.count * 10) { check(Self.mutate(bytes, &mixer), templates) }
        }
        #expect(learnt > 25, "learnt \(learnt) records")
        #expect(hits > 4000, "\(hits) matches")
        #expect(misses > 5000, "\(misses) misses")
    }

    @Test func recordsOfALearntShapeMatchWithTheirOwnPositions() throws {
        let index = StructuralIndex()
        let templates = LayoutTemplates()
        #expect(Self.learn(Self.flow("10.1.2.3", "81.2.69.142", port: 1024), templates, index))
        for (source, destination, port) in [("10.200.3.44", "1.128.0.1", 65535), ("", "::1", 0), ("x", "2.2.2.2", -12)] {
            let bytes = Self.flow(source, destination, port: port, timestamp: "2024-05-01T13:45:00.123456789Z")
            let layout = try #require(Self.match(bytes, templates))
            #expect(layout == Self.walked(bytes, index))
            #expect(layout.source.ip.map { String(decoding: bytes[$0], as: UTF8.self) } == source)
            #expect(layout.destination.ip.map { String(decoding: bytes[$0], as: UTF8.self) } == destination)
            #expect(layout.close == bytes.count - 1)
        }
        #expect(templates.count == 1)
        // A string where the learnt record had a number, an escape, a control byte: misses.
        for text in [#""port":"1024""#, #""ip":"10.0.\u0030.1""#, "\"ip\":\"10.0.0.1\t\""] {
            var bytes = Self.flow("10.0.0.1", "1.1.1.1", port: 1024)
            let original = Array((text.hasPrefix(#""port""#) ? #""port":1024"# : #""ip":"10.0.0.1""#).utf8)
            let replacement = Array(text.utf8)
            let start = try #require(bytes.indices.first { bytes[$0...].starts(with: original) })
            bytes.replaceSubrange(start..<(start + original.count), with: replacement)
            #expect(Self.match(bytes, templates) == nil, "\(text)")
        }
    }

    @Test func templatesOfDifferentShapesAreUsedInTurn() {
        let index = StructuralIndex()
        let templates = LayoutTemplates()
        let shapes: [(Int) -> [UInt8]] = [
            { Self.flow("10.0.0.\($0 % 250)", "1.1.1.1", port: $0) },
            { Array(#"{"dns":{"question":{"name":"host\#($0).example.com"}},"source":{"ip":"10.0.0.\#($0 % 250)"}}"#.utf8) },
            { Array(#"{"url":{"domain":"d\#($0).example","original":"/p/\#($0)"},"tls":{"client":{"ja3":"j\#($0)"}}}"#.utf8) },
        ]
        for shape in shapes { #expect(Self.learn(shape(0), templates, index)) }
        var matched = 0
        for round in 1...60 {
            let bytes = shapes[round % shapes.count](round * 7)
            guard let layout = Self.match(bytes, templates) else { continue }
            matched += 1
            #expect(layout == Self.walked(bytes, index))
        }
        #expect(matched == 60)
        #expect(templates.count == 3)
    }

    @Test func theTemplatesStayBounded() {
        let index = StructuralIndex()
        let templates = LayoutTemplates()
        // More shapes than there is room for: the count stays at the capacity, the newest shapes match.
        func shape(_ number: Int) -> [UInt8] { Array(#"{"k\#(number)":1,"source":{"ip":"10.0.0.1"}}"#.utf8) }
        for number in 0..<(LayoutTemplates.capacity * 3) {
            #expect(Self.learn(shape(number), templates, index))
            #expect(templates.count <= LayoutTemplates.capacity)
        }
        let newest = LayoutTemplates.capacity * 3 - 1
        #expect(Self.match(shape(newest), templates) == Self.walked(shape(newest), index))
        #expect(Self.match(shape(0), templates) == nil)
        // Too many holes, or too much text: not learnt, and the template the failed attempt overwrote never matches.
        let manyHoles = Array(("{\"a\":[" + (0...LayoutTemplates.maximumHoles).map { "\($0)" }.joined(separator: ",") + "]}").utf8)
        let longText = Array(("{\"" + String(repeating: "k", count: LayoutTemplates.maximumText) + "\":1}").utf8)
        for bytes in [manyHoles, longText] {
            #expect(!Self.learn(bytes, templates, index))
            #expect(Self.match(bytes, templates) == nil)
        }
        #expect(templates.count == LayoutTemplates.capacity)
        for number in 0..<(LayoutTemplates.capacity * 3) {
            let bytes = shape(number)
            if let layout = Self.match(bytes, templates) { #expect(layout == Self.walked(bytes, index)) }
        }
        // Hostile input of one shape after another never lets a template return another record's layout.
        var mixer = StructuralIndexTests.Mixer(state: 12)
        for round in 0..<3000 {
            let base = CompactRecordReaderTests.records[round % CompactRecordReaderTests.records.count]
            let bytes = Self.mutate(Array(base.utf8), &mixer)
            if let layout = Self.match(bytes, templates) {
                #expect(layout == Self.walked(bytes, index), "\(String(decoding: bytes, as: UTF8.self))")
            } else {
                Self.learn(bytes, templates, index)
            }
            #expect(templates.count <= LayoutTemplates.capacity)
        }
    }

    @Test func theEnrichersLayoutIsTheWalksWhileItLearns() {
        // One enricher over a long mixed sequence: learning, replacing and matching interleaved.
        let enricher = Enricher(resources: EnrichmentResources())
        let index = StructuralIndex()
        var mixer = StructuralIndexTests.Mixer(state: 14)
        let records = CompactRecordReaderTests.records.map { Array($0.utf8) }
        for round in 0..<6000 {
            // Mostly a few shapes (fewer than the templates held), sometimes any of them.
            let base = records[mixer.below(5) == 0 ? mixer.below(records.count) : mixer.below(6)]
            let bytes = round % 3 == 0 ? base : Self.mutate(base, &mixer)
            let layout = bytes.withUnsafeBufferPointer { enricher.layout(of: $0) }
            #expect(layout == Self.walked(bytes, index), "\(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(enricher.layoutTemplates.matches > 1000, "\(enricher.layoutTemplates.matches) matches")
        #expect(enricher.layoutTemplates.count <= LayoutTemplates.capacity)
    }
}

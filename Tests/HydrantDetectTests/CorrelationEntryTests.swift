import Testing
@testable import HydrantDetect
import HydrantRecords
import HydrantTestSupport

/// The compact pieces a correlation window entry is made of: the evidence text, the number parsed without a
/// `String`, and the distinct-value ids that stand for the values.
@Suite struct CorrelationEntryTests {
    private func text(_ string: String) -> InlineText { InlineText(string) }

    /// Numbers parsed from bytes agree with `Double(String)` on every text, hostile ones included.
    @Test func numberAgreesWithDoubleOfString() {
        var samples = ["", "-", "+", "0", "-0", "00", "007", "1", "-1", "42", "123456789012345678", "-123456789012345678",
                       "1234567890123456789", "9223372036854775807", "-9223372036854775808", "99999999999999999999",
                       "9007199254740993", "1.5", "-1.5", "1e3", "1E-3", ".5", "5.", "+5", "--5", "5-", "0x10", "inf",
                       "-inf", "nan", "NaN", "infinity", " 5", "5 ", "1_000", "١٢", "12\u{0}", "٣"]
        var seed: UInt64 = 7
        let alphabet = Array("0123456789-+.eE xa".utf8)
        for _ in 0..<5000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let length = Int((seed >> 40) % 24)
            var bytes: [UInt8] = []
            var state = seed
            for _ in 0..<length {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(alphabet[Int((state >> 33) % UInt64(alphabet.count))])
            }
            samples.append(String(decoding: bytes, as: UTF8.self))
        }
        var integers = 0
        for sample in samples {
            let expected = Double(sample)
            let got = CorrelationEngine.number(text(sample))
            #expect(got?.bitPattern == expected?.bitPattern || (got?.isNaN == true && expected?.isNaN == true),
                    "\(sample): \(String(describing: got)) against \(String(describing: expected))")
            if Int64(sample) != nil { integers += 1 }
        }
        #expect(integers > 100)
    }

    /// Evidence text keeps its bytes whatever the length (inline up to 32, spilled above) and absence is its own
    /// value.
    @Test func shortTextRoundTripsAndCompares() {
        let absent = ShortText(nil)
        #expect(absent.isAbsent)
        #expect(absent.string == nil)
        #expect(absent == ShortText.absent)
        let empty = ShortText(text(""))
        #expect(!empty.isAbsent)
        #expect(empty.string == "")
        #expect(empty != absent)
        var seen = Set<ShortText>()
        for length in 0...80 {
            let string = String((0..<length).map { Character(Unicode.Scalar(UInt8(65 + ($0 * 7 + length) % 26))) })
            let value = ShortText(text(string))
            #expect(value.string == string)
            #expect(value == ShortText(text(string)))
            #expect(seen.insert(value).inserted)
            if length > 0 {
                let other = ShortText(text(String(string.dropLast()) + "#"))
                #expect(value != other)
            }
        }
        #expect(seen.contains(ShortText(text(""))))
        #expect(!seen.contains(absent))
    }

    /// A group's lookup key joined in place equals the key made from the joined bytes, for parts absent, empty,
    /// short and long, and totals on both sides of the inline capacity: equal, with equal hashes.
    @Test func joinedKeysEqualTheTextOfTheJoinedBytes() {
        var generator = SeededGenerator(seed: 5)
        for _ in 0..<3000 {
            let width = Int(generator.next() % 4) + 1
            var parts: [InlineText?] = []
            for _ in 0..<width {
                let kind = generator.next() % 5
                if kind == 0 { parts.append(nil); continue }
                let length = kind == 4 ? Int(generator.next() % 60) : Int(generator.next() % 20)
                parts.append(InlineText(String((0..<length).map { _ in Character(Unicode.Scalar(UInt8(33 + generator.next() % 90))) })))
            }
            let indexes = (0..<width).shuffled(using: &generator)
            var bytes: [UInt8] = []
            for (position, index) in indexes.enumerated() {
                if position > 0 { bytes.append(0x1F) }
                parts[index]?.withBytes { bytes.append(contentsOf: $0) }
            }
            let expected = bytes.withUnsafeBufferPointer { InlineText($0) }
            let joined = InlineText(joining: indexes, of: parts, separator: 0x1F)
            #expect(joined == expected)
            #expect(joined.count == bytes.count)
            #expect(joined.hashValue == expected.hashValue)
            #expect(joined.withBytes { Array($0) } == bytes)
        }
    }

    /// The alert's evidence lists each window entry's Community ID once, in window order, long ones included.
    @Test func evidenceKeepsCommunityIDsInWindowOrder() {
        let (rules, errors) = RuleSet.parse(yaml: dnsQueryRuleA + """
        title: many distinct
        correlation: {type: value_count, rules: [a], group-by: [src_ip], timespan: 1m, condition: {field: query, gte: 4}}
        """, file: "evidence.yml")
        #expect(errors.isEmpty, "\(errors)")
        let long = "1:" + String(repeating: "L", count: 60)
        let ids = ["1:aaaaaaaaaaaaaaaaaaaaaaaaaaaa=", long, "1:aaaaaaaaaaaaaaaaaaaaaaaaaaaa=", "1:b", long, "1:c"]
        let queries = ["a.test", "b.test", "a.test", "c.test", "c.test", "d.test"]
        let engine = CorrelationEngine(rules: rules, allowedLateness: 0)
        var events: [CorrelationEngine.Event] = []
        for (i, id) in ids.enumerated() {
            events.append(CorrelationEngine.Event(ruleKey: "a", timestamp: Timestamp(nanoseconds: Int64(i) * 1_000_000_000),
                                                  fields: ["src_ip": "10.0.0.1", "query": queries[i]], communityID: id))
        }
        let alerts = engine.ingest(events) + engine.finish()
        #expect(alerts.count == 1)
        #expect(alerts.first?.count == 6)
        #expect(alerts.first?.communityIDs == ["1:aaaaaaaaaaaaaaaaaaaaaaaaaaaa=", long, "1:b", "1:c"])
    }
}

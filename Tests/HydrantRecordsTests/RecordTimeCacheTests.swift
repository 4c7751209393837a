import Testing
import HydrantRecords
import HydrantTestSupport

/// The record time cache answers exactly as `Timestamp(parsingRFC3339:)` whatever came before.
@Suite struct RecordTimeCacheTests {
    private func parse(_ cache: RecordTimeCache, _ text: [UInt8]) -> Timestamp? {
        text.withUnsafeBufferPointer { cache.parse($0) }
    }

    private func reference(_ text: [UInt8]) -> Timestamp? {
        text.withUnsafeBufferPointer { Timestamp(parsingRFC3339: $0) }
    }

    /// Texts of one second and the next, each byte of them changed to a digit, a letter or a separator, and
    /// other forms (offsets, short fractions, `z`, a space for `T`, leap seconds, 29 February), in a seeded
    /// order through one cache, so that every text meets a cache filled by a text of the same second.
    @Test func agreesWithTheParserAfterAnyText() {
        let seeds = ["2024-01-01T00:00:00.045772082Z", "2024-01-01T00:00:00.999999999Z", "2024-01-01T00:00:01.000000000Z",
                     "2023-12-31T23:59:60.500000000Z", "2024-02-29T12:00:00.000000001Z", "2023-02-29T12:00:00.000000001Z",
                     "1969-12-31T23:59:59.999999999Z", "2262-04-11T23:47:16.854775807Z", "2262-04-11T23:47:16.854775808Z",
                     "0001-01-01T00:00:00.000000000Z", "2024-01-01T00:00:00.04577208Z", "2024-01-01T00:00:00.0457720821Z",
                     "2024-01-01T00:00:00.045772082z", "2024-01-01 00:00:00.045772082Z", "2024-01-01t00:00:00.045772082Z",
                     "2024-01-01T00:00:00.045772+02:00", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.045772082",
                     "2024-13-01T00:00:00.045772082Z", "2024-01-32T00:00:00.045772082Z", "2024-01-01T24:00:00.045772082Z"]
        var texts = seeds.map { Array($0.utf8) }
        let replacements = Array("09a.:-TZz +/".utf8) + [0, 0xFF]
        for seed in seeds.prefix(6) {
            let bytes = Array(seed.utf8)
            for i in bytes.indices {
                for replacement in replacements where replacement != bytes[i] {
                    var changed = bytes
                    changed[i] = replacement
                    texts.append(changed)
                }
            }
        }
        var random = SeededGenerator(seed: 30)
        let cache = RecordTimeCache()
        var hits = 0
        for _ in 0..<40_000 {
            // Mostly texts of a few seconds with new fractions, so that the cache is hit often.
            let text: [UInt8]
            if random.next() % 2 == 0 {
                var fresh = Array("2024-01-01T00:00:0\(random.next() % 4).".utf8)
                for _ in 0..<9 { fresh.append(UInt8(ascii: "0") + UInt8(random.next() % 10)) }
                fresh.append(UInt8(ascii: "Z"))
                text = fresh
                hits += 1
            } else {
                text = texts[Int(random.next() % UInt64(texts.count))]
            }
            let got = parse(cache, text)
            let expected = reference(text)
            #expect(got == expected, "\(String(decoding: text, as: UTF8.self))")
            if got != expected { return }
        }
        #expect(hits > 1000)
        #expect(reference(Array(seeds[0].utf8)) != nil)
    }
}

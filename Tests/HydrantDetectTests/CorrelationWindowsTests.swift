import Testing
@testable import HydrantDetect
import HydrantRecords
import HydrantTestSupport

/// The flat windows of a correlation (chunked entries, one distinct-value table), against a dictionary of arrays
/// of the same entries, and the engine reading matches in place in the reorder buffer, long payloads included.
@Suite struct CorrelationWindowsTests {
    /// What the reference model keeps per entry.
    private struct Held: Equatable {
        let time: Int64
        let number: Double?
        let rule: Int
        let value: [UInt8]?
        let communityID: [UInt8]?
    }

    private func bytes(_ random: inout SeededGenerator, alphabet: Int, lengths: [Int]) -> [UInt8] {
        let length = lengths[random.below(lengths.count)]
        return (0..<length).map { _ in UInt8(ascii: "a") + UInt8(random.below(alphabet)) }
    }

    /// The metric a fresh computation over `held` gives, and whether `liveMetric` must give it (the running sums
    /// stand for integers only).
    private func expectedMetric(_ type: CorrelationType, _ held: [Held], ruleCount: Int) -> Double? {
        switch type {
        case .eventCount: return Double(held.count)
        case .valueCount: return Double(Set(held.compactMap(\.value)).count)
        case .temporal: return Double(Set(held.map(\.rule).filter { $0 < ruleCount }).count)
        case .valueSum, .valueAverage:
            let numbers = held.compactMap(\.number)
            guard numbers.allSatisfy({ $0.rounded() == $0 }) else { return nil }
            let sum = numbers.reduce(0, +)
            if type == .valueSum { return sum }
            return numbers.isEmpty ? 0 : sum / Double(numbers.count)
        case .valuePercentile, .temporalOrdered: return nil
        }
    }

    private func check(_ windows: CorrelationWindows, _ model: [Int32: [Held]], type: CorrelationType, ruleCount: Int) {
        var chunksLeast = 0
        var chunksMost = 0
        for (slot, held) in model {
            #expect(windows.count(slot) == held.count)
            #expect(windows.isEmpty(slot) == held.isEmpty)
            #expect(windows.firstTime(slot) == held.first?.time)
            #expect(windows.liveMetric(slot) == expectedMetric(type, held, ruleCount: ruleCount))
            let entries = windows.entries(slot)
            #expect(entries.map(\.timestamp) == held.map(\.time))
            #expect(entries.map { $0.hasNumber ? $0.number : nil } == held.map(\.number))
            #expect(entries.map { Int($0.rule) } == held.map(\.rule))
            if type == .valueCount {
                // Entries share a row exactly when they share a value.
                var rows: [[UInt8]: Int32] = [:]
                for (entry, want) in zip(entries, held) {
                    guard let value = want.value else {
                        #expect(entry.valueID == -1)
                        continue
                    }
                    #expect(entry.valueID >= 0)
                    if let row = rows[value] { #expect(entry.valueID == row) } else { rows[value] = entry.valueID }
                }
                #expect(Set(rows.values).count == rows.count)
            }
            var seen = Set<[UInt8]>()
            var ids: [String] = []
            for want in held {
                guard let id = want.communityID, seen.count < 3, seen.insert(id).inserted else { continue }
                ids.append(String(decoding: id, as: UTF8.self))
            }
            #expect(windows.communityIDs(slot, first: held.count, limit: 3) == ids)
            chunksLeast += (held.count + CorrelationWindows.chunkEntries - 1) / CorrelationWindows.chunkEntries
            chunksMost += (held.count + 2 * CorrelationWindows.chunkEntries - 2) / CorrelationWindows.chunkEntries
        }
        #expect(windows.chunksInUse >= chunksLeast)
        #expect(windows.chunksInUse <= chunksMost)
        if type == .valueCount {
            #expect(windows.distinctValues == model.values.reduce(0) { $0 + Set($1.compactMap(\.value)).count })
        }
    }

    /// Seeded appends, slides, advances and clears over 40 slots agree with a dictionary of arrays: counts, first
    /// times, entries, metrics, distinct values and Community IDs (some longer than an entry holds); a chunk is
    /// made only when none is free, so the chunks made are the most ever in use, and clearing every window frees
    /// every chunk and distinct value.
    @Test(arguments: CorrelationType.allCases)
    func randomOperationsAgreeWithADictionaryOfArrays(type: CorrelationType) {
        var random = SeededGenerator(seed: UInt64(type.rawValue.utf8.count) * 7919)
        let ruleCount = 3
        let windows = CorrelationWindows(type: type, ruleCount: ruleCount)
        var model: [Int32: [Held]] = [:]
        var time: Int64 = 0
        var mostInUse = 0
        for step in 0..<6000 {
            let slot = Int32(random.below(40))
            if model[slot] == nil {
                windows.open(slot)
                model[slot] = []
            }
            time += Int64(random.below(3))
            switch random.below(10) {
            case 0..<6:
                let value = random.chance(85) ? bytes(&random, alphabet: 3, lengths: [0, 1, 2, 60, 200]) : nil
                let number: Double? = random.chance(80) ? Double(random.below(50)) + (random.chance(5) ? 0.5 : 0) : nil
                let communityID = random.chance(80) ? bytes(&random, alphabet: 4, lengths: [2, 30, 32, 33, 90]) : nil
                let rule = random.below(ruleCount + 1)
                let held = Held(time: time, number: number, rule: rule, value: value, communityID: communityID)
                func withOptional<R>(_ bytes: [UInt8]?, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
                    guard let bytes else { return body(nil) }
                    return bytes.withUnsafeBufferPointer { body($0) }
                }
                withOptional(value) { value in
                    withOptional(communityID) { communityID in
                        windows.append(slot, time: time, rule: rule, value: value, number: number, communityID: communityID)
                    }
                }
                model[slot, default: []].append(held)
                #expect(windows.lastUpdate(slot) == time)
            case 6, 7:
                let timespan = Int64(random.below(30))
                windows.slide(slot, to: time, timespan: timespan)
                model[slot]?.removeAll { time - $0.time > timespan }
            case 8:
                let count = random.below(4)
                windows.advance(slot, by: count)
                let held = model[slot]?.count ?? 0
                model[slot]?.removeFirst(min(count, held))
            default:
                let quiet = random.chance(50)
                windows.setQuiet(slot, quiet)
                #expect(windows.isQuiet(slot) == quiet)
                if random.chance(50) {
                    windows.clear(slot)
                    model[slot] = nil
                }
            }
            mostInUse = max(mostInUse, windows.chunksInUse)
            if step % 97 == 0 { check(windows, model, type: type, ruleCount: ruleCount) }
        }
        check(windows, model, type: type, ruleCount: ruleCount)
        #expect(windows.chunksInUse + windows.freeChunks == mostInUse)
        for slot in model.keys { windows.clear(slot) }
        #expect(windows.chunksInUse == 0)
        #expect(windows.distinctValues == 0)
        // Reopened slots start empty and reuse the freed chunks.
        windows.open(3)
        #expect(windows.isEmpty(3) && !windows.isQuiet(3) && windows.lastUpdate(3) == 0)
        windows.append(3, time: 1, rule: 0, value: nil, number: nil, communityID: nil)
        #expect(windows.chunksInUse == 1)
        #expect(windows.chunksInUse + windows.freeChunks == mostInUse)
    }

    /// A window far longer than a chunk (one group taking every match of a long timespan) keeps its order across
    /// chunk boundaries while it slides, and gives its chunks back as its head passes them.
    @Test func longWindowsSlideAcrossChunks() {
        let windows = CorrelationWindows(type: .valueCount, ruleCount: 1)
        windows.open(0)
        for t in 0..<1000 {
            let value = Array("v\(t % 37)".utf8)
            value.withUnsafeBufferPointer {
                windows.append(0, time: Int64(t), rule: 0, value: $0, number: nil, communityID: nil)
            }
            windows.slide(0, to: Int64(t), timespan: 99)
            #expect(windows.count(0) == min(t + 1, 100))
            #expect(windows.liveMetric(0) == Double(min(t + 1, 37)))
        }
        #expect(windows.entries(0).map(\.timestamp) == Array(900..<1000).map(Int64.init))
        #expect(windows.chunksInUse <= 100 / CorrelationWindows.chunkEntries + 1)
        #expect(windows.distinctValues == 37)
    }

    private func second(_ s: Int64) -> Timestamp { Timestamp(nanoseconds: 1_700_000_000_000_000_000 + s * 1_000_000_000) }

    /// Through the engine: matches whose values outgrow their reorder-buffer slot (long names, which are copied
    /// out) and short ones (read in place), with Community IDs longer than an entry holds, in slots reused all
    /// the time: the alerts' groups, counts and Community IDs equal those of a model of the windows.
    @Test func matchesReadInPlaceOrCopiedGiveTheModelsAlerts() {
        let (set, errors) = RuleSet.parse(yaml: dnsQueryRuleA + """
        title: distinct
        correlation: {type: value_count, rules: [a], group-by: [src_ip], timespan: 20s, condition: {field: query, gte: 3}}
        """, file: "windows.yml")
        #expect(errors.isEmpty, "\(errors)")
        var random = SeededGenerator(seed: 11)
        var events: [CorrelationEngine.Event] = []
        for i in 0..<3000 {
            let source = "10.0.\(random.below(3)).\(random.below(4))" + (random.chance(10) ? String(repeating: "s", count: 150) : "")
            let query = String(repeating: "q", count: [1, 40, 140][random.below(3)]) + "\(random.below(4))"
            let communityID = random.chance(20) ? nil : "1:" + String(repeating: "c", count: [28, 50][random.below(2)]) + "\(i % 5)"
            events.append(CorrelationEngine.Event(ruleKey: "a", timestamp: second(Int64(i / 4)),
                                                  fields: ["src_ip": source, "query": query], communityID: communityID))
        }
        let engine = CorrelationEngine(rules: set, allowedLateness: 0)
        var alerts: [AlertRecord] = []
        for chunk in stride(from: 0, to: events.count, by: 7) {
            alerts += engine.ingest(Array(events[chunk..<min(chunk + 7, events.count)]))
        }
        alerts += engine.finish()

        var groups: [String: (events: [CorrelationEngine.Event], quiet: Bool)] = [:]
        var expected: [String] = []
        for event in events {
            let name = event.fields["src_ip"] ?? ""
            let time = event.timestamp.nanoseconds
            var group = groups[name] ?? (events: [], quiet: false)
            group.events.removeAll { time - $0.timestamp.nanoseconds > 20_000_000_000 }
            if group.events.isEmpty { group.quiet = false }
            group.events.append(event)
            if !group.quiet && Set(group.events.compactMap { $0.fields["query"] }).count >= 3 {
                group.quiet = true
                var seen = Set<String>()
                let ids = group.events.compactMap(\.communityID).filter { seen.insert($0).inserted }
                expected.append("src_ip=\(name) \(group.events.count) \(time) \(ids)")
            }
            groups[name] = group
        }
        #expect(expected.count > 30)
        #expect(alerts.map { "\($0.group ?? "") \($0.count) \($0.windowEnd.nanoseconds) \($0.communityIDs)" } == expected)
    }
}

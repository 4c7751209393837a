import Testing
@testable import HydrantDetect
import HydrantRecords
import HydrantTestSupport

/// The flat group store of a correlation, against a dictionary of the same groups, and the group bound of the
/// engine built on it, against a dictionary-based model of the groups and their windows.
@Suite struct CorrelationGroupStoreTests {
    /// What the reference model keeps per group: its slot in the store and its parts' lengths.
    private struct Held {
        let slot: Int32
        let parts: [Int32]
    }

    /// A key of 0 to 100 bytes over a small alphabet (so keys repeat), with `parts` parts joined by 0x1F; the
    /// parts' lengths (-1 for a missing one, which joins as empty).
    private func randomKey(_ random: inout SeededGenerator, parts: Int, short: Bool) -> ([UInt8], [Int32]) {
        var key: [UInt8] = []
        var lengths: [Int32] = []
        for part in 0..<parts {
            if part > 0 { key.append(0x1F) }
            if random.next() % 7 == 0 {
                lengths.append(-1)
                continue
            }
            let length = short ? Int(random.next() % 3) : Int(random.next() % 50)
            for _ in 0..<length { key.append(UInt8(ascii: "a") + UInt8(random.next() % 3)) }
            lengths.append(Int32(length))
        }
        return (key, lengths)
    }

    private func check(_ store: CorrelationGroupStore, _ model: [[UInt8]: Held]) {
        #expect(store.count == model.count)
        #expect(Set(store.liveSlots) == Set(model.values.map(\.slot)))
        for (key, held) in model {
            let found = key.withUnsafeBufferPointer { store.find($0, hash: store.hash($0)) }
            #expect(found == held.slot)
            #expect(store.withKey(held.slot) { Array($0) } == key)
            var start = 0
            for (i, length) in held.parts.enumerated() {
                if length < 0 {
                    #expect(store.part(i, of: held.slot) == nil)
                } else {
                    #expect(store.part(i, of: held.slot) == Array(key[start..<(start + Int(length))]))
                }
                start += max(Int(length), 0) + 1
            }
        }
    }

    /// Seeded inserts, finds and removals agree with a dictionary, for long keys (beyond the inline bytes), short
    /// ones in a table small enough that probe runs wrap around its end, and thousands of groups at once. Keys
    /// are drawn from a pool of `pool` keys, so that about half of them are held at any time.
    @Test(arguments: [(1, false, 80), (2, false, 6000), (3, true, 12), (1, true, 12), (2, true, 400)])
    func randomOperationsAgreeWithADictionary(parts: Int, short: Bool, pool size: Int) {
        var random = SeededGenerator(seed: UInt64(parts * 100_000 + size))
        let pool = (0..<size).map { _ in randomKey(&random, parts: parts, short: short) }
        let store = CorrelationGroupStore(parts: parts, seed: random.next())
        var model: [[UInt8]: Held] = [:]
        var slotsInUse = Set<Int32>()
        var most = 0
        for step in 0..<30_000 {
            let (key, lengths) = pool[Int(random.next() % UInt64(size))]
            let hash = key.withUnsafeBufferPointer { store.hash($0) }
            let found = key.withUnsafeBufferPointer { store.find($0, hash: hash) }
            #expect(found == (model[key]?.slot ?? -1))
            if found >= 0 {
                if random.next() % 2 == 0 {
                    store.remove(found)
                    model[key] = nil
                    slotsInUse.remove(found)
                }
            } else {
                let slot = key.withUnsafeBufferPointer { store.insert($0, hash: hash) { lengths[$0] } }
                #expect(!slotsInUse.contains(slot), "slot \(slot) handed out twice")
                slotsInUse.insert(slot)
                model[key] = Held(slot: slot, parts: lengths)
            }
            most = max(most, model.count)
            if step % 997 == 0 { check(store, model) }
        }
        check(store, model)
        // Freed slots are reused: the store never made more slots than it held groups at once.
        #expect(store.slotsMade == most)
        for held in model.values { store.remove(held.slot) }
        #expect(store.count == 0)
        #expect(store.liveSlots.isEmpty)
        // Emptied, the store still finds nothing and reuses its slots.
        for (key, _) in pool.prefix(5) {
            #expect(key.withUnsafeBufferPointer { store.find($0, hash: store.hash($0)) } == -1)
        }
    }

    /// Equal keys hash equally whatever their alignment; keys differing in one byte or in length do not match.
    @Test func keysMatchByEveryByteAndTheLength() {
        let store = CorrelationGroupStore(parts: 1, seed: 99)
        let key = Array("192.168.100.200\u{1F}203.0.113.77\u{1F}some.long.domain.example.org".utf8)
        let slot = key.withUnsafeBufferPointer { store.insert($0, hash: store.hash($0)) { _ in Int32(key.count) } }
        let shifted = [0] + key
        let found = shifted.withUnsafeBufferPointer { raw -> Int32 in
            let view = UnsafeBufferPointer(rebasing: raw[1...])
            return store.find(view, hash: store.hash(view))
        }
        #expect(found == slot)
        for i in key.indices {
            var other = key
            other[i] ^= 1
            #expect(other.withUnsafeBufferPointer { store.find($0, hash: store.hash($0)) } == -1)
        }
        let shorter = Array(key.dropLast())
        #expect(shorter.withUnsafeBufferPointer { store.find($0, hash: store.hash($0)) } == -1)
        let empty: [UInt8] = []
        #expect(empty.withUnsafeBufferPointer { store.find($0, hash: store.hash($0)) } == -1)
    }

    /// The engine keeps at most `maximumGroups` groups per correlation, evicting the least recently updated one,
    /// and its alerts and eviction count equal those of a dictionary-based model of the groups and windows.
    @Test(arguments: [1, 3, 8])
    func groupBoundAgreesWithADictionaryModel(maximumGroups: Int) throws {
        let (set, errors) = RuleSet.parse(yaml: dnsQueryRuleA + """
        title: burst
        correlation: {type: event_count, rules: [a], group-by: [src_ip], timespan: 30s, condition: {gte: 3}}
        """, file: "bound.yml")
        #expect(errors.isEmpty, "\(errors)")
        let second: Int64 = 1_000_000_000
        var random = SeededGenerator(seed: UInt64(maximumGroups))
        var events: [CorrelationEngine.Event] = []
        for i in 0..<4000 {
            let source = "10.0.0.\(random.next() % UInt64(maximumGroups + 3))"
            events.append(CorrelationEngine.Event(ruleKey: "a", timestamp: Timestamp(nanoseconds: Int64(i) * second),
                                                  fields: ["src_ip": source, "query": "q"]))
        }
        let engine = CorrelationEngine(rules: set, allowedLateness: 0, maximumGroups: maximumGroups)
        var alerts: [AlertRecord] = []
        var most = 0
        for chunk in stride(from: 0, to: events.count, by: 50) {
            alerts += engine.ingest(Array(events[chunk..<min(chunk + 50, events.count)]))
            most = max(most, engine.groupCount("burst"))
        }
        alerts += engine.finish()

        // The model: per group its event times, last update and quietness; times are distinct, so the least
        // recently updated group is unique.
        var groups: [String: (times: [Int64], last: Int64, quiet: Bool)] = [:]
        var evicted = 0
        var expected: [String] = []
        for event in events {
            let name = event.fields["src_ip"] ?? ""
            let time = event.timestamp.nanoseconds
            if groups[name] == nil, groups.count >= maximumGroups,
               let oldest = groups.min(by: { $0.value.last < $1.value.last })?.key {
                groups[oldest] = nil
                evicted += 1
            }
            var group = groups[name] ?? (times: [], last: 0, quiet: false)
            group.times = group.times.filter { time - $0 <= 30 * second }
            if group.times.isEmpty { group.quiet = false }
            group.times.append(time)
            group.last = time
            if !group.quiet && group.times.count >= 3 {
                group.quiet = true
                expected.append("src_ip=\(name) \(group.times.count) \(time)")
            }
            groups[name] = group
        }
        #expect(alerts.map { "\($0.group ?? "") \($0.count) \($0.windowEnd.nanoseconds)" } == expected)
        #expect(engine.evictedGroups == evicted)
        #expect(most <= maximumGroups)
        #expect(evicted > 0)
    }
}

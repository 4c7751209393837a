import Testing
@testable import HydrantDetect
import HydrantRecords
import HydrantTestSupport

/// The correlation reorder buffer (event-time order, arrival order among equal times, slot reuse) and the
/// buffered matches a reload carries over.
@Suite struct CorrelationReorderBufferTests {
    /// Pseudo-random times with many ties, added and drained in rounds: every match comes out in (time, arrival)
    /// order, with the values it was given, whatever slot it was stored in.
    @Test func drainsInTimeThenArrivalOrderWithItsOwnValues() {
        let buffer = CorrelationReorderBuffer(width: 2)
        var seed: UInt64 = 7
        func next(_ n: UInt64) -> Int64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int64((seed >> 33) % n)
        }
        var sequence: UInt64 = 0
        var waiting: [(time: Int64, sequence: UInt64)] = []
        var drained: [(time: Int64, sequence: UInt64)] = []
        var current: [InlineText?] = [nil, nil]
        for round in 0..<50 {
            for _ in 0..<Int(next(40)) {
                // Few distinct times: most matches tie with another.
                let time = Int64(round) * 3 + next(6)
                let slot = buffer.add(time: time, sequence: sequence, source: Int32(sequence % 5), communityID: InlineText("c\(sequence)"))
                buffer.setValue(InlineText("v\(sequence)"), slot: slot, entry: 0)
                if sequence % 3 == 0 { buffer.setValue(InlineText("w\(sequence)"), slot: slot, entry: 1) }
                waiting.append((time, sequence))
                sequence += 1
            }
            #expect(buffer.count == waiting.count)
            let limit = Int64(round) * 3 + 2
            while let key = buffer.first(atMost: limit) {
                buffer.removeFirst()
                let (source, communityID) = buffer.take(key.slot, into: &current)
                #expect(source == Int32(key.sequence % 5))
                #expect(communityID?.string == "c\(key.sequence)")
                #expect(current[0]?.string == "v\(key.sequence)")
                // A reused slot must not show the previous match's values.
                #expect(current[1]?.string == (key.sequence % 3 == 0 ? "w\(key.sequence)" : nil))
                drained.append((key.time, key.sequence))
            }
            waiting.removeAll { $0.time <= limit }
        }
        while let key = buffer.first(atMost: Int64.max) {
            buffer.removeFirst()
            _ = buffer.take(key.slot, into: &current)
            drained.append((key.time, key.sequence))
        }
        #expect(drained.count == Int(sequence))
        // Within each drain the order is (time, sequence); rounds drain disjoint, increasing time ranges.
        let expected = drained.sorted { $0.time != $1.time ? $0.time < $1.time : $0.sequence < $1.sequence }
        #expect(drained.map(\.time) == expected.map(\.time))
        #expect(drained.map(\.sequence) == expected.map(\.sequence))
    }

    /// A stream mostly in time order with some matches arriving up to 40 ticks late (the usual shape: in-order
    /// matches are queued, late ones go through the heap), drained a little at a time: the matches come out in
    /// exactly (time, arrival) order, and `count` and `keys` always cover both the queue and the heap.
    @Test func mostlyOrderedStreamsWithLateMatchesDrainInOrder() {
        let buffer = CorrelationReorderBuffer(width: 1)
        var generator = SeededGenerator(seed: 11)
        var clock: Int64 = 0
        var added: [(time: Int64, sequence: UInt64)] = []
        var drained: [(time: Int64, sequence: UInt64)] = []
        var current: [InlineText?] = [nil]
        for sequence in 0..<UInt64(20_000) {
            clock += Int64(generator.next() % 3)
            let late = generator.next() % 10 == 0
            let time = late ? clock - Int64(generator.next() % 40) : clock
            let slot = buffer.add(time: time, sequence: sequence, source: 0, communityID: nil)
            buffer.setValue(InlineText("\(time)/\(sequence)"), slot: slot, entry: 0)
            added.append((time, sequence))
            if sequence % 97 == 0 {
                #expect(buffer.count == added.count - drained.count)
                #expect(buffer.keys.count == buffer.count)
                #expect(Set(buffer.keys.map(\.sequence)).count == buffer.count)
            }
            while let key = buffer.first(atMost: clock - 50) {
                buffer.removeFirst()
                _ = buffer.take(key.slot, into: &current)
                #expect(current[0]?.string == "\(key.time)/\(key.sequence)")
                drained.append((key.time, key.sequence))
            }
        }
        while let key = buffer.first(atMost: Int64.max) {
            buffer.removeFirst()
            _ = buffer.take(key.slot, into: &current)
            drained.append((key.time, key.sequence))
        }
        #expect(buffer.count == 0)
        let expected = added.sorted { $0.time != $1.time ? $0.time < $1.time : $0.sequence < $1.sequence }
        #expect(drained.count == expected.count)
        #expect(drained.map(\.time) == expected.map(\.time))
        #expect(drained.map(\.sequence) == expected.map(\.sequence))
    }

    /// Taking only some entries loads exactly those, from the right match, and leaves the other elements alone.
    @Test func takingSomeEntriesLoadsOnlyThose() {
        let buffer = CorrelationReorderBuffer(width: 4)
        for n in 0..<3 {
            let slot = buffer.add(time: Int64(n), sequence: UInt64(n), source: Int32(n), communityID: nil)
            for entry in 0..<4 { buffer.setValue(InlineText("m\(n)e\(entry)"), slot: slot, entry: entry) }
        }
        var current: [InlineText?] = [InlineText("old0"), InlineText("old1"), InlineText("old2"), nil]
        var taken: [[String?]] = []
        let picks: [[Int]] = [[1, 3], [], [0, 1, 2, 3]]
        while let key = buffer.first(atMost: Int64.max) {
            buffer.removeFirst()
            let (source, _) = buffer.take(key.slot, entries: picks[Int(key.sequence)], into: &current)
            #expect(source == Int32(key.sequence))
            taken.append(current.map { $0?.string })
        }
        #expect(taken == [["old0", "m0e1", "old2", "m0e3"], ["old0", "m0e1", "old2", "m0e3"],
                          ["m2e0", "m2e1", "m2e2", "m2e3"]])
    }

    /// Payloads of many sizes, from empty to 300 bytes per value (long DNS names, IPv6 addresses), in slots
    /// reused by payloads of other sizes: each match gives back exactly its own bytes and none of a previous
    /// occupant's.
    @Test func payloadsOfAnySizeComeBackIntactFromReusedSlots() {
        let buffer = CorrelationReorderBuffer(width: 3)
        var seed: UInt64 = 3
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        func text(_ tag: UInt64, _ length: Int) -> String {
            let head = "\(tag):"
            return head + String(repeating: Character(Unicode.Scalar(UInt8(97 + Int(tag % 26)))), count: max(0, length - head.count))
        }
        var expected: [UInt64: (String?, [String?])] = [:]
        var current: [InlineText?] = [nil, nil, nil]
        var sequence: UInt64 = 0
        var checked = 0
        for round in 0..<200 {
            for _ in 0..<(1 + next(6)) {
                let lengths = (0..<4).map { _ in [0, 1, 30, 45, 60, 100, 127, 128, 129, 300][next(10)] }
                let communityID = next(5) == 0 ? nil : text(sequence, lengths[0])
                let values: [String?] = (1...3).map { next(4) == 0 ? nil : text(sequence, lengths[$0]) }
                let slot = buffer.add(time: Int64(round), sequence: sequence, source: 0, communityID: communityID.map(InlineText.init))
                for (entry, value) in values.enumerated() { buffer.setValue(value.map(InlineText.init), slot: slot, entry: entry) }
                expected[sequence] = (communityID, values)
                sequence += 1
            }
            // Drain most rounds, so that slots are reused with payloads of other sizes.
            let limit = next(3) == 0 ? Int64(round) - 2 : Int64(round)
            while let key = buffer.first(atMost: limit) {
                buffer.removeFirst()
                let (_, communityID) = buffer.take(key.slot, into: &current)
                guard let want = expected.removeValue(forKey: key.sequence) else { Issue.record("unknown match"); continue }
                #expect(communityID?.string == want.0)
                #expect(current.map { $0?.string } == want.1)
                checked += 1
            }
        }
        #expect(checked > 300)
    }

    /// `popFirst` hands matches out in (time, arrival) order up to its limit, and `view` gives each match's own
    /// Community ID and values where they lie (or copied, for payloads that outgrew their stretch), in slots
    /// reused by payloads of other sizes once `discard` frees them.
    @Test func viewedPayloadsOfAnySizeAreTheMatchesOwn() {
        let buffer = CorrelationReorderBuffer(width: 3)
        let values = CorrelationMatchValues(width: 3)
        var random = SeededGenerator(seed: 5)
        func text(_ tag: UInt64, _ length: Int) -> String {
            let head = "\(tag):"
            return head + String(repeating: "v", count: max(0, length - head.count))
        }
        var expected: [UInt64: (String?, [String?])] = [:]
        var sequence: UInt64 = 0
        var checked = 0
        for round in 0..<200 {
            for _ in 0..<(1 + random.below(6)) {
                let lengths = (0..<4).map { _ in [0, 1, 30, 45, 60, 100, 127, 128, 129, 300][random.below(10)] }
                let communityID = random.chance(20) ? nil : text(sequence, lengths[0])
                let entries: [String?] = (1...3).map { random.chance(25) ? nil : text(sequence, lengths[$0]) }
                // Some matches late by a tick or two, so that both the queue and the heap hold matches.
                let slot = buffer.add(time: Int64(round - random.below(3)), sequence: sequence, source: Int32(sequence % 7),
                                      communityID: communityID.map(InlineText.init))
                for (entry, value) in entries.enumerated() { buffer.setValue(value.map(InlineText.init), slot: slot, entry: entry) }
                expected[sequence] = (communityID, entries)
                sequence += 1
            }
            let limit = random.chance(30) ? Int64(round) - 2 : Int64(round)
            var last: CorrelationReorderBuffer.Key?
            while let key = buffer.popFirst(atMost: limit) {
                #expect(key.time <= limit)
                if let last { #expect(last < key) }
                last = key
                #expect(buffer.view(key.slot, into: values) == Int32(key.sequence % 7))
                guard let want = expected.removeValue(forKey: key.sequence) else { Issue.record("unknown match"); continue }
                #expect(values.communityID.map { String(decoding: $0, as: UTF8.self) } == want.0)
                #expect((0..<3).map { values.value($0).map { String(decoding: $0, as: UTF8.self) } } == want.1)
                #expect((0..<3).map { Int(values.length($0)) } == want.1.map { $0?.utf8.count ?? -1 })
                buffer.discard(key.slot)
                checked += 1
            }
            #expect(buffer.first(atMost: limit) == nil)
        }
        #expect(checked > 300)
    }

    private func second(_ s: Int64) -> Timestamp { Timestamp(nanoseconds: 1_700_000_000_000_000_000 + s * 1_000_000_000) }

    private func record(_ s: Int64, source: String, query: String, communityID: String) -> [String: EventValue] {
        var text: [UInt8] = []
        second(s).appendRFC3339(to: &text)
        return ["@timestamp": .string(String(decoding: text, as: UTF8.self)), "event": .object(["dataset": .string("network.dns")]),
                "source": .object(["ip": .string(source)]), "dns": .object(["question": .object(["name": .string(query)])]),
                "network": .object(["community_id": .string(communityID)])]
    }

    private static let rules = dnsQueryRuleA + """
    title: distinct queries
    name: distinct
    correlation: {type: value_count, rules: [a], group-by: [src_ip], timespan: 1m, condition: {field: query, gte: 3}}
    """

    /// Matches still waiting for the watermark at a reload (three at the same second) reach the new engine with
    /// their group, value and Community ID, and in arrival order.
    @Test func bufferedMatchesSurviveAReloadInArrivalOrder() {
        let (set, errors) = RuleSet.parse(yaml: Self.rules, file: "reload.yml")
        #expect(errors.isEmpty, "\(errors)")
        let old = DetectionEngine(rules: set, allowedLateness: 30_000_000_000)
        var alerts: [AlertRecord] = []
        for (i, query) in ["one.test", "two.test", "three.test"].enumerated() {
            alerts += old.evaluate(event: record(5, source: "10.0.0.1", query: query, communityID: "1:id\(i)"))
        }
        alerts += old.evaluate(event: record(5, source: "10.0.0.2", query: "other.test", communityID: "1:other"))
        #expect(alerts.isEmpty)
        let new = DetectionEngine(rules: set, allowedLateness: 30_000_000_000)
        #expect(new.adoptCorrelationState(from: old) == ["distinct"])
        // Moves the watermark past second 5: the three buffered matches fire the group.
        alerts += new.evaluate(event: record(100, source: "10.0.0.9", query: "late.test", communityID: "1:late"))
        #expect(alerts.map(\.group) == ["src_ip=10.0.0.1"])
        #expect(alerts.first?.communityIDs == ["1:id0", "1:id1", "1:id2"])
        #expect(alerts.first?.count == 3)
        #expect(new.finish().isEmpty)
    }

    /// A non-upward correlation skips closing windows until one can have ended; with groups whose windows end at
    /// different times, each still closes exactly when the event time passes its end.
    @Test func windowsCloseOnTimeWithManyGroups() throws {
        let (set, errors) = RuleSet.parse(yaml: Self.rules.replacingOccurrences(
            of: "correlation: {type: value_count, rules: [a], group-by: [src_ip], timespan: 1m, condition: {field: query, gte: 3}}",
            with: "correlation: {type: event_count, rules: [a], group-by: [src_ip], timespan: 10s, condition: {lte: 1}}"),
            file: "close.yml")
        #expect(errors.isEmpty, "\(errors)")
        let engine = CorrelationEngine(rules: set, allowedLateness: 0)
        func event(_ s: Int64, _ source: String) -> CorrelationEngine.Event {
            CorrelationEngine.Event(ruleKey: "a", timestamp: second(s), fields: ["src_ip": source, "query": "q\(s)"])
        }
        // 10.0.0.1: one match at 0 (closes after 10); 10.0.0.2: two at 4 and 6 (closes after 14, does not fire);
        // 10.0.0.3: one at 12 (closes after 22).
        var fired: [(Int64, String)] = []
        for (s, source) in [(0, "10.0.0.1"), (4, "10.0.0.2"), (6, "10.0.0.2"), (9, "10.0.0.4"), (10, "10.0.0.4"),
                            (11, "10.0.0.4"), (12, "10.0.0.3"), (15, "10.0.0.4"), (23, "10.0.0.4")] as [(Int64, String)] {
            for alert in engine.ingest([event(s, source)]) { fired.append((s, alert.group ?? "")) }
        }
        #expect(fired.map(\.0) == [11, 23])
        #expect(fired.map(\.1) == ["src_ip=10.0.0.1", "src_ip=10.0.0.3"])
        let rest = engine.finish().map { $0.group ?? "" }
        #expect(rest == ["src_ip=10.0.0.4"])
    }
}

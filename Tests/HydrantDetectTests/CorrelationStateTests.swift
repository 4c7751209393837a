import Testing
@testable import HydrantDetect
import HydrantRecords

/// The running window aggregates (against a fresh count of the same windows) and the correlation state that a
/// reload keeps for unchanged rules.
@Suite struct CorrelationStateTests {
    private static let base = dnsQueryRuleA

    private func set(_ yaml: String) -> RuleSet {
        let (set, errors) = RuleSet.parse(yaml: yaml, file: "state.yml")
        #expect(errors.isEmpty, "\(errors)")
        return set
    }

    private func second(_ s: Int64) -> Timestamp { Timestamp(nanoseconds: 1_700_000_000_000_000_000 + s * 1_000_000_000) }

    private func event(_ s: Int64, source: String = "10.0.0.1", query: String) -> CorrelationEngine.Event {
        CorrelationEngine.Event(ruleKey: "a", timestamp: second(s), fields: ["src_ip": source, "query": query])
    }

    /// A sliding window over a pseudo-random stream: the alerts of the running aggregates equal those of a
    /// brute-force count over the same stream (each threshold crossing, then quiet until the window empties).
    @Test(arguments: ["value_count", "value_sum", "value_avg"])
    func runningAggregatesAgreeWithAFreshCount(type: String) {
        let threshold = type == "value_count" ? 4.0 : (type == "value_sum" ? 40.0 : 7.5)
        let rules = set(Self.base + """
        title: agg
        correlation: {type: \(type), rules: [a], group-by: [src_ip], timespan: 10s, condition: {field: query, gte: \(threshold)}}
        """)
        var seed: UInt64 = 42
        func next(_ n: UInt64) -> Int64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int64((seed >> 33) % n)
        }
        var events: [CorrelationEngine.Event] = []
        var time: Int64 = 0
        for _ in 0..<2000 {
            time += next(3)
            let query = next(10) == 0 ? "x.test" : "\(next(12))\(next(20) == 0 ? ".5" : "")"
            events.append(event(time, source: "10.0.0.\(next(3))", query: query))
        }
        let engine = CorrelationEngine(rules: rules, allowedLateness: 0)
        let got = (engine.ingest(events) + engine.finish()).map { "\($0.group ?? "") \($0.windowEnd.nanoseconds) \($0.count)" }

        // Brute force: per group, the live window after each event, the metric computed from scratch.
        var expected: [String] = []
        var windows: [String: [(Int64, String)]] = [:]
        var quiet: [String: Bool] = [:]
        for e in events {
            let group = e.fields["src_ip"] ?? ""
            var window = windows[group, default: []].filter { e.timestamp.nanoseconds - second($0.0).nanoseconds <= 10_000_000_000 }
            if window.isEmpty { quiet[group] = false }
            window.append(((e.timestamp.nanoseconds - second(0).nanoseconds) / 1_000_000_000, e.fields["query"] ?? ""))
            windows[group] = window
            guard quiet[group] != true else { continue }
            let numbers = window.compactMap { Double($0.1) }
            let metric: Double
            switch type {
            case "value_count": metric = Double(Set(window.map(\.1)).count)
            case "value_sum": metric = numbers.reduce(0, +)
            default: metric = numbers.isEmpty ? 0 : numbers.reduce(0, +) / Double(numbers.count)
            }
            if metric >= threshold {
                quiet[group] = true
                expected.append("src_ip=\(group) \(e.timestamp.nanoseconds) \(window.count)")
            }
        }
        #expect(!expected.isEmpty)
        #expect(got == expected)
    }

    /// Dropping expired groups (and reusing them for new ones) is invisible: the same stream over many groups
    /// gives the same alerts, evidence included, whether groups are swept from two on or never; and the swept
    /// engine holds about the groups of one timespan rather than every group ever seen.
    @Test(arguments: ["event_count", "value_count", "value_sum", "value_avg", "value_percentile"])
    func sweepingExpiredGroupsChangesNoAlert(type: String) {
        let extra = type == "value_percentile" ? ", percentile: 50" : ""
        let condition = type == "event_count" ? "{gte: 3}" : "{field: query, gte: \(type == "value_count" ? 3 : 20)\(extra)}"
        let rules = set(Self.base + """
        title: swept
        name: swept
        correlation: {type: \(type), rules: [a], group-by: [src_ip, query], timespan: 20s, condition: \(condition)}
        ---
        title: by source
        name: by_source
        correlation: {type: \(type), rules: [a], group-by: [src_ip], timespan: 5s, condition: \(condition)}
        """)
        var random = PrefilterTests.Generator(state: 7)
        func next(_ n: Int) -> Int64 { Int64(random.next(n)) }
        var events: [CorrelationEngine.Event] = []
        var time: Int64 = 0
        for i in 0..<6000 {
            time += next(2)
            // Sources drift over time, so that old groups expire while new ones keep appearing.
            let source = "10.\(i / 500).0.\(next(40))"
            let query = next(4) == 0 ? "x.test" : "\(next(30))"
            var event = CorrelationEngine.Event(ruleKey: "a", timestamp: second(time), fields: ["src_ip": source, "query": query])
            event.communityID = "1:\(next(1000))"
            events.append(event)
        }
        func run(sweepMinimum: Int) -> (alerts: [String], groups: Int) {
            let engine = CorrelationEngine(rules: rules, allowedLateness: 0, maximumGroups: 1_000_000, sweepMinimum: sweepMinimum)
            var alerts: [AlertRecord] = []
            var most = 0
            for chunk in stride(from: 0, to: events.count, by: 100) {
                alerts += engine.ingest(Array(events[chunk..<min(chunk + 100, events.count)]))
                most = max(most, engine.groupCount("swept"))
            }
            alerts += engine.finish()
            let described = alerts.map { "\($0.ruleID) \($0.group ?? "") \($0.windowStart.nanoseconds) \($0.windowEnd.nanoseconds) \($0.count) \($0.communityIDs)" }
            return (described, most)
        }
        let swept = run(sweepMinimum: 2)
        let kept = run(sweepMinimum: Int.max)
        #expect(swept.alerts.count > 10)
        #expect(swept.alerts == kept.alerts)
        // 20 s of this stream hold about 40 matches, so a few dozen live groups; without sweeping every group seen stays.
        #expect(kept.groups > 3 * swept.groups, "kept \(kept.groups), swept \(swept.groups)")
    }

    private static let portScan = """
    title: many queries
    name: many
    correlation: {type: event_count, rules: [a], group-by: [src_ip], timespan: 1m, condition: {gte: 3}}
    """

    /// Two matches before the reload and one after make three in the window only when the state is kept.
    private func alertsAcrossReload(before: String, after: String) -> (alerts: [AlertRecord], kept: [String]) {
        let old = DetectionEngine(rules: set(before), allowedLateness: 0)
        var alerts: [AlertRecord] = []
        for s: Int64 in [0, 10] {
            alerts += old.evaluate(event: dnsRecord(s, query: "q\(s).test"))
        }
        let new = DetectionEngine(rules: set(after), allowedLateness: 0)
        let kept = new.adoptCorrelationState(from: old)
        alerts += new.evaluate(event: dnsRecord(20, query: "q20.test"))
        alerts += new.finish()
        return (alerts, kept)
    }

    private func dnsRecord(_ s: Int64, query: String) -> [String: EventValue] {
        let stamp = Timestamp(nanoseconds: second(s).nanoseconds)
        var text: [UInt8] = []
        stamp.appendRFC3339(to: &text)
        return ["@timestamp": .string(String(decoding: text, as: UTF8.self)), "event": .object(["dataset": .string("network.dns")]),
                "source": .object(["ip": .string("10.0.0.1")]), "dns": .object(["question": .object(["name": .string(query)])])]
    }

    @Test func unchangedCorrelationKeepsItsWindowAcrossAReload() {
        let rules = Self.base + Self.portScan
        let retitled = rules.replacingOccurrences(of: "title: many queries", with: "title: many queries (renamed)")
            + "\n---\ntitle: another\nname: other\ncorrelation: {type: event_count, rules: [a], group-by: [src_ip], timespan: 1m, condition: {gte: 3}}\n"
        let (alerts, kept) = alertsAcrossReload(before: rules, after: retitled)
        #expect(kept == ["many"])
        // The kept one fires with its new title; the new one has only the match after the reload.
        #expect(alerts.map(\.ruleName) == ["many queries (renamed)"])
        #expect(alerts.first?.count == 3)
    }

    @Test func editedCorrelationOrEditedReferencedRuleStartsEmpty() {
        let rules = Self.base + Self.portScan
        let longer = rules.replacingOccurrences(of: "timespan: 1m", with: "timespan: 2m")
        let (alerts, kept) = alertsAcrossReload(before: rules, after: longer)
        #expect(kept.isEmpty)
        #expect(alerts.isEmpty)
        let editedDetection = rules.replacingOccurrences(of: "query|endswith: .test", with: "query|endswith: test")
        let (alerts2, kept2) = alertsAcrossReload(before: rules, after: editedDetection)
        #expect(kept2.isEmpty)
        #expect(alerts2.isEmpty)
    }

    @Test func chainedCorrelationIsUnchangedOnlyWithItsChain() {
        let chain = Self.base + Self.portScan + """

        ---
        title: repeated
        name: repeated
        correlation: {type: event_count, rules: [many], group-by: [src_ip], timespan: 10m, condition: {gte: 2}}
        """
        let previous = set(chain)
        #expect(RuleDefinitions.unchangedKeys(previous: previous, current: set(chain)) == ["a", "many", "repeated"])
        let edited = set(chain.replacingOccurrences(of: "condition: {gte: 3}", with: "condition: {gte: 4}"))
        #expect(RuleDefinitions.unchangedKeys(previous: previous, current: edited) == ["a"])
    }
}

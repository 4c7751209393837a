import Testing
@testable import HydrantDetect
import HydrantRecords

@Suite struct CorrelationTests {
    /// Detection rules `a`, `b`, `c` (DNS queries for a.test, b.test, c.test) plus the given correlation.
    private func rules(_ correlation: String) throws -> RuleSet {
        var yaml = ""
        for name in ["a", "b", "c"] {
            yaml += """
            title: rule \(name)
            name: \(name)
            logsource: {category: dns}
            detection:
                sel:
                    query: \(name).test
                condition: sel
            ---

            """
        }
        let (set, errors) = RuleSet.parse(yaml: yaml + correlation, file: "corr.yml")
        #expect(errors.isEmpty, "\(errors)")
        return set
    }

    private func second(_ s: Int64) -> Timestamp { Timestamp(nanoseconds: 1_700_000_000_000_000_000 + s * 1_000_000_000) }

    private func event(_ rule: String, _ s: Int64, source: String = "10.0.0.1", query: String? = nil) -> CorrelationEngine.Event {
        var fields = ["src_ip": source]
        if let query { fields["query"] = query }
        return CorrelationEngine.Event(ruleKey: rule, timestamp: second(s), fields: fields, communityID: "1:\(rule)\(s)")
    }

    @Test func eventCountWindowIsInclusiveAndSlides() throws {
        let set = try rules("""
        title: three in a minute
        correlation: {type: event_count, rules: [a], group-by: [src_ip], timespan: 60s, condition: {gte: 3}}
        """)
        // 0, 30, 60: the third is exactly 60 s after the first, still inside.
        let engine = CorrelationEngine(rules: set, allowedLateness: 0)
        let alerts = engine.ingest([event("a", 0), event("a", 30), event("a", 60)]) + engine.finish()
        #expect(alerts.count == 1)
        #expect(alerts.first?.count == 3)
        #expect(alerts.first?.windowStart == second(0))
        #expect(alerts.first?.windowEnd == second(60))
        #expect(alerts.first?.group == "src_ip=10.0.0.1")
        #expect(alerts.first?.communityIDs == ["1:a0", "1:a30", "1:a60"])
        // 0, 30, 61: the first has left the window when the third arrives (Hayabusa #1841: no count outside the span).
        let other = CorrelationEngine(rules: set, allowedLateness: 0)
        #expect((other.ingest([event("a", 0), event("a", 30), event("a", 61)]) + other.finish()).isEmpty)
    }

    @Test func outOfOrderWithinLatenessCountsAndLateIsDropped() throws {
        let set = try rules("""
        title: three in ten seconds
        correlation: {type: event_count, rules: [a], group-by: [src_ip], timespan: 10s, condition: {gte: 3}}
        """)
        let engine = CorrelationEngine(rules: set, allowedLateness: 30_000_000_000)
        var alerts = engine.ingest([event("a", 100), event("a", 105)])
        alerts += engine.ingest([event("a", 98)])  // out of order, within lateness
        #expect(alerts.isEmpty)  // nothing released before the watermark passes
        alerts += engine.ingest([event("a", 200)])  // watermark 170 releases 98, 100, 105
        #expect(alerts.count == 1)
        #expect(alerts.first?.windowStart == second(98))
        alerts += engine.ingest([event("a", 150), event("a", 151), event("a", 152)])  // behind watermark 170: late
        #expect(engine.lateEvents == 3)
        #expect((alerts + engine.finish()).count == 1)
    }

    @Test func groupFiresOnceUntilItsWindowEmpties() throws {
        let set = try rules("""
        title: two in ten seconds
        correlation: {type: event_count, rules: [a], group-by: [src_ip], timespan: 10s, condition: {gte: 2}}
        """)
        let engine = CorrelationEngine(rules: set, allowedLateness: 0)
        let alerts = engine.ingest((0..<6).map { event("a", $0) }) + engine.ingest([event("a", 30), event("a", 31)]) + engine.finish()
        #expect(alerts.map(\.windowStart) == [second(0), second(30)])
        // Same input, same ids.
        let again = CorrelationEngine(rules: set, allowedLateness: 0)
        let ids = (again.ingest((0..<6).map { event("a", $0) }) + again.ingest([event("a", 30), event("a", 31)]) + again.finish()).map(\.id)
        #expect(ids == alerts.map(\.id))
    }

    @Test func missingGroupFieldIsItsOwnGroup() throws {
        let set = try rules("""
        title: two
        correlation: {type: event_count, rules: [a], group-by: [user], timespan: 10s, condition: {gte: 2}}
        """.replacingOccurrences(of: "user", with: "dst_ip"))
        let engine = CorrelationEngine(rules: set, allowedLateness: 0)
        let alerts = engine.ingest([event("a", 0), event("a", 1)]) + engine.finish()
        #expect(alerts.map(\.group) == ["dst_ip="])
    }

    @Test func valueCountCountsDistinctValues() throws {
        let set = try rules("""
        title: many names
        correlation: {type: value_count, rules: [a], group-by: [src_ip], timespan: 1m, condition: {field: query, gt: 2}}
        """)
        let engine = CorrelationEngine(rules: set, allowedLateness: 0)
        var alerts = engine.ingest([event("a", 0, query: "x"), event("a", 1, query: "x"), event("a", 2, query: "y")])
        #expect(alerts.isEmpty)
        alerts += engine.ingest([event("a", 3, source: "10.0.0.2", query: "z"), event("a", 4, query: "z")])
        #expect(alerts.count == 1)
        #expect(alerts.first?.group == "src_ip=10.0.0.1")
        #expect(alerts.first?.count == 4)
    }

    @Test func valueSumAndAverage() throws {
        let sum = try rules("""
        title: big
        correlation: {type: value_sum, rules: [a], group-by: [src_ip], timespan: 1m, condition: {field: query, gte: 100}}
        """)
        let engine = CorrelationEngine(rules: sum, allowedLateness: 0)
        let alerts = engine.ingest([event("a", 0, query: "60"), event("a", 1, query: "oops"), event("a", 2, query: "40")])
        #expect(alerts.count == 1)
        let average = try rules("""
        title: avg range
        correlation: {type: value_avg, rules: [a], group-by: [src_ip], timespan: 1m, condition: {field: query, gt: 10, lte: 20}}
        """)
        let avg = CorrelationEngine(rules: average, allowedLateness: 0)
        // Range conditions are decided when the window closes: the average of 5 and 25 is 15.
        var out = avg.ingest([event("a", 0, query: "5"), event("a", 10, query: "25")])
        #expect(out.isEmpty)
        out += avg.ingest([event("a", 100, query: "1000")])
        #expect(out.count == 1)
        #expect(out.first?.windowEnd == second(10))
    }

    @Test func lowCountFiresWhenTheWindowCloses() throws {
        let set = try rules("""
        title: too few
        correlation: {type: event_count, rules: [a], group-by: [src_ip], timespan: 10s, condition: {lt: 2}}
        """)
        let engine = CorrelationEngine(rules: set, allowedLateness: 0)
        var alerts = engine.ingest([event("a", 0)])
        #expect(alerts.isEmpty)
        alerts += engine.ingest([event("a", 5, source: "10.0.0.9"), event("a", 6, source: "10.0.0.9"), event("a", 30, source: "10.0.0.7")])
        // 10.0.0.1 had one event in [0, 10]: fires; 10.0.0.9 had two: does not; 10.0.0.7 is still open.
        #expect(alerts.map(\.group) == ["src_ip=10.0.0.1"])
        alerts += engine.finish()
        #expect(alerts.map(\.group) == ["src_ip=10.0.0.1", "src_ip=10.0.0.7"])
    }

    @Test func temporalEnforcesTheGroup() throws {
        let set = try rules("""
        title: a and b
        correlation: {type: temporal, rules: [a, b], group-by: [src_ip], timespan: 1m}
        """)
        // Hayabusa #1841: a from one host and b from another must not combine.
        let engine = CorrelationEngine(rules: set, allowedLateness: 0)
        #expect((engine.ingest([event("a", 0), event("b", 1, source: "10.0.0.2")]) + engine.finish()).isEmpty)
        let same = CorrelationEngine(rules: set, allowedLateness: 0)
        #expect((same.ingest([event("b", 0), event("a", 1)]) + same.finish()).count == 1)
    }

    @Test func temporalOrderedEnforcesTheWholeOrder() throws {
        let set = try rules("""
        title: a then b then c
        correlation: {type: temporal_ordered, rules: [a, b, c], group-by: [src_ip], timespan: 1m}
        """)
        // Hayabusa #1896: order must hold beyond the first rule.
        let wrong = CorrelationEngine(rules: set, allowedLateness: 0)
        #expect((wrong.ingest([event("a", 0), event("c", 1), event("b", 2)]) + wrong.finish()).isEmpty)
        let right = CorrelationEngine(rules: set, allowedLateness: 0)
        #expect((right.ingest([event("a", 0), event("c", 1), event("b", 2), event("c", 3)]) + right.finish()).count == 1)
    }

    @Test func chainedCorrelationsAndGenerate() throws {
        let set = try rules("""
        title: bursts
        name: burst
        correlation: {type: event_count, rules: [a], group-by: [src_ip], timespan: 10s, condition: {gte: 2}}
        ---
        title: burst then b
        correlation: {type: temporal_ordered, rules: [burst, b], group-by: [src_ip], timespan: 1m}
        """)
        let engine = CorrelationEngine(rules: set, allowedLateness: 0)
        let alerts = engine.ingest([event("a", 0), event("a", 1), event("b", 5)]) + engine.finish()
        // The inner correlation feeds the outer one but, referenced with generate: false, raises no alert itself.
        #expect(alerts.map(\.ruleName) == ["burst then b"])
    }

    @Test func groupsAreBoundedAndEvictionsCounted() throws {
        let set = try rules("""
        title: two
        correlation: {type: event_count, rules: [a], group-by: [src_ip], timespan: 1h, condition: {gte: 2}}
        """)
        let engine = CorrelationEngine(rules: set, allowedLateness: 0, maximumGroups: 2)
        let alerts = engine.ingest([event("a", 0, source: "1.1.1.1"), event("a", 1, source: "2.2.2.2"),
                                    event("a", 2, source: "3.3.3.3"), event("a", 3, source: "1.1.1.1")])
        #expect(engine.evictedGroups == 2)
        #expect(alerts.isEmpty)  // 1.1.1.1 was evicted before its second event
    }

    @Test func detectionEngineFeedsCorrelationsFromRecords() throws {
        let set = try rules("""
        title: scan
        correlation: {type: value_count, rules: [a, b], group-by: [src_ip], timespan: 1m, condition: {field: query, gte: 2}}
        """)
        let engine = DetectionEngine(rules: set, allowedLateness: 0)
        var alerts = engine.evaluate(event: dnsEvent("a.test"))
        alerts += engine.evaluate(event: dnsEvent("b.test"))
        alerts += engine.finish()
        #expect(alerts.map(\.ruleName) == ["scan"])
        #expect(alerts.first?.group == "src_ip=10.0.0.1")
        #expect(alerts.first?.kind == .correlation)
        #expect(alerts.first?.correlationType == "value_count")
    }
}

import HydrantRecords

/// Evaluates correlation rules over the matches of detection rules (and of other correlations), on event time.
///
/// Matches first wait in a reorder buffer until the watermark (the highest event time seen minus
/// `allowedLateness`) passes them, so that windows see each group's events in time order whatever the arrival
/// order within the lateness; a match older than the watermark is dropped and counted in `lateEvents`.
/// Windows slide: for each released event the window is the events of its group within `timespan` before it
/// (inclusive: an event exactly `timespan` earlier still counts). Conditions made only of `gt`/`gte` fire as
/// soon as the window satisfies them, and the group then stays quiet until its window has emptied. Conditions
/// with `lt`, `lte`, `eq` or `neq` are decided when a window closes (event time passes its first event plus
/// `timespan`); such windows follow each other without overlap, each starting at the group's first event not
/// yet decided. At most `maximumGroups` groups are kept per correlation; the least recently updated
/// one is evicted and counted.
public final class CorrelationEngine {
    /// One match of a referenced rule, as the detection engine hands it over.
    public struct Event: Sendable {
        /// The referenced rule's key.
        public var ruleKey: String
        /// Event time.
        public var timestamp: Timestamp
        /// Values of the correlation fields (group-by entries and the value field), by entry name.
        public var fields: [String: String]
        /// The record's Community ID, for evidence.
        public var communityID: String?

        /// Creates an event.
        public init(ruleKey: String, timestamp: Timestamp, fields: [String: String], communityID: String? = nil) {
            self.ruleKey = ruleKey
            self.timestamp = timestamp
            self.fields = fields
            self.communityID = communityID
        }
    }

    private struct Entry {
        var timestamp: Timestamp
        var rule: Int
        var value: String?
        var communityID: String?
    }

    private final class Group {
        let key: String
        let fields: [String: String]
        var entries: [Entry] = []
        var head = 0
        var quiet = false
        var lastUpdate = Timestamp.zero
        init(key: String, fields: [String: String]) {
            self.key = key
            self.fields = fields
        }
        var live: ArraySlice<Entry> { entries[head...] }
        func compact() {
            if head > 64 && head * 2 > entries.count {
                entries.removeFirst(head)
                head = 0
            }
        }
    }

    private struct State {
        let rule: CorrelationRule
        let upward: Bool
        var groups: [String: Group] = [:]
    }

    /// How far behind the highest event time a match may arrive and still count.
    public let allowedLateness: Int64
    /// The most groups kept per correlation.
    public let maximumGroups: Int
    /// Matches dropped because they arrived behind the watermark.
    public private(set) var lateEvents = 0
    /// Groups evicted because a correlation reached `maximumGroups`.
    public private(set) var evictedGroups = 0

    private var states: [State]
    /// Correlations referenced only by correlations with `generate: false`: they feed, but do not alert.
    private var silenced = Set<String>()
    private var byRule: [String: [Int]] = [:]
    private var pending: [(Event, UInt64)] = []
    private var sequence: UInt64 = 0
    private var maximumSeen = Timestamp(nanoseconds: Int64.min)
    private var released = Timestamp(nanoseconds: Int64.min)
    private var watermark = Timestamp(nanoseconds: Int64.min)

    /// An engine for the correlations of `rules`.
    public init(rules: RuleSet, allowedLateness: Int64 = 30_000_000_000, maximumGroups: Int = 1_000_000) {
        self.allowedLateness = allowedLateness
        self.maximumGroups = maximumGroups
        states = rules.correlations.map { rule in
            State(rule: rule, upward: rule.comparisons.allSatisfy { $0.operation == "gt" || $0.operation == "gte" })
        }
        for (index, state) in states.enumerated() {
            for key in Set(state.rule.rules) { byRule[key, default: []].append(index) }
        }
        let correlationKeys = Set(rules.correlations.map(\.key))
        var generating = Set<String>()
        for rule in rules.correlations {
            for key in rule.rules where correlationKeys.contains(key) {
                if rule.generate { generating.insert(key) } else { silenced.insert(key) }
            }
        }
        silenced.subtract(generating)
    }

    /// Whether any correlation references the rule with this key.
    public func references(_ ruleKey: String) -> Bool { byRule[ruleKey] != nil }

    /// Adds matches and returns the alerts of the windows the new watermark decides.
    public func ingest(_ events: [Event]) -> [AlertRecord] {
        for event in events {
            if event.timestamp < watermark || event.timestamp < released {
                lateEvents += 1
                continue
            }
            if event.timestamp > maximumSeen {
                maximumSeen = event.timestamp
                watermark = Timestamp(nanoseconds: maximumSeen.nanoseconds &- allowedLateness)
            }
            pending.append((event, sequence))
            sequence &+= 1
        }
        return release(upTo: watermark)
    }

    /// Releases every buffered match and closes every window (end of input).
    public func finish() -> [AlertRecord] {
        var alerts = release(upTo: Timestamp(nanoseconds: Int64.max))
        alerts += closeWindows(at: Timestamp(nanoseconds: Int64.max))
        return alerts
    }

    private func release(upTo watermark: Timestamp) -> [AlertRecord] {
        var ready: [(Event, UInt64)] = []
        var keep: [(Event, UInt64)] = []
        for item in pending { if item.0.timestamp <= watermark { ready.append(item) } else { keep.append(item) } }
        pending = keep
        ready.sort { $0.0.timestamp != $1.0.timestamp ? $0.0.timestamp < $1.0.timestamp : $0.1 < $1.1 }
        var alerts: [AlertRecord] = []
        for (event, _) in ready {
            alerts += closeWindows(at: event.timestamp)
            released = event.timestamp
            alerts += process(event)
        }
        if watermark.nanoseconds != Int64.max && watermark > released {
            alerts += closeWindows(at: watermark)
        }
        return alerts
    }

    private func process(_ event: Event) -> [AlertRecord] {
        var alerts: [AlertRecord] = []
        for index in byRule[event.ruleKey] ?? [] {
            let rule = states[index].rule
            let groupKey = rule.groupBy.map { "\($0)=\(event.fields[$0] ?? "")" }.joined(separator: ",")
            let group: Group
            if let existing = states[index].groups[groupKey] { group = existing } else {
                if states[index].groups.count >= maximumGroups, let oldest = states[index].groups.values.min(by: { $0.lastUpdate < $1.lastUpdate }) {
                    states[index].groups.removeValue(forKey: oldest.key)
                    evictedGroups += 1
                }
                var fields: [String: String] = [:]
                for entry in rule.groupBy { fields[entry] = event.fields[entry] }
                group = Group(key: groupKey, fields: fields)
                states[index].groups[groupKey] = group
            }
            // Slide: drop what is more than `timespan` before this event.
            while group.head < group.entries.count,
                  event.timestamp.nanoseconds &- group.entries[group.head].timestamp.nanoseconds > rule.timespan {
                group.head += 1
            }
            if group.head == group.entries.count { group.quiet = false }
            group.compact()
            let ruleIndex = rule.rules.firstIndex(of: event.ruleKey) ?? 0
            group.entries.append(Entry(timestamp: event.timestamp, rule: ruleIndex, value: rule.valueField.flatMap { event.fields[$0] },
                                       communityID: event.communityID))
            group.lastUpdate = event.timestamp
            guard states[index].upward, !group.quiet else { continue }
            let (holds, count) = evaluate(rule, group.live)
            if holds {
                group.quiet = true
                alerts += fire(alert(rule, group: group, count: count, end: event.timestamp), rule: rule, event: event)
            }
        }
        return alerts
    }

    /// Emits a correlation alert (unless only chained correlations with `generate: false` use the rule) and feeds
    /// it to the correlations that reference this one, as an event at the window's end with this group's values.
    private func fire(_ alert: AlertRecord, rule: CorrelationRule, event: Event) -> [AlertRecord] {
        var alerts = silenced.contains(rule.key) ? [] : [alert]
        if byRule[rule.key] != nil {
            var fields: [String: String] = [:]
            for entry in rule.groupBy { fields[entry] = event.fields[entry] }
            alerts += process(Event(ruleKey: rule.key, timestamp: alert.windowEnd, fields: fields, communityID: event.communityID))
        }
        return alerts
    }

    /// Decides the windows (of non-upward conditions) whose first event is more than `timespan` before `time`.
    private func closeWindows(at time: Timestamp) -> [AlertRecord] {
        var alerts: [AlertRecord] = []
        for index in states.indices where !states[index].upward {
            let rule = states[index].rule
            for group in states[index].groups.values.sorted(by: { $0.key < $1.key }) {
                while group.head < group.entries.count {
                    let first = group.entries[group.head].timestamp
                    guard time.nanoseconds == Int64.max || time.nanoseconds &- first.nanoseconds > rule.timespan else { break }
                    let end = first.nanoseconds &+ rule.timespan
                    let window = group.live.prefix { $0.timestamp.nanoseconds <= end }
                    let (holds, count) = evaluate(rule, window)
                    if holds {
                        let made = alert(rule, group: group, count: count, end: window.last?.timestamp ?? first, window: window)
                        alerts += fire(made, rule: rule, event: Event(ruleKey: rule.key, timestamp: made.windowEnd, fields: group.fields))
                    }
                    // Decided windows do not overlap: the next one starts at the first event after this one.
                    group.head += window.count
                }
                group.compact()
            }
        }
        return alerts
    }

    /// Whether the window satisfies the rule's condition, and the count reported in the alert.
    private func evaluate(_ rule: CorrelationRule, _ window: ArraySlice<Entry>) -> (Bool, Int64) {
        let metric: Double
        switch rule.type {
        case .eventCount:
            metric = Double(window.count)
        case .valueCount:
            var distinct = Set<String>()
            for entry in window { if let v = entry.value { distinct.insert(v) } }
            metric = Double(distinct.count)
        case .valueSum, .valueAverage:
            var sum = 0.0
            var n = 0
            for entry in window { if let v = entry.value, let d = Double(v) { sum += d; n += 1 } }
            metric = rule.type == .valueSum ? sum : (n == 0 ? 0 : sum / Double(n))
        case .valuePercentile:
            let values = window.compactMap { $0.value.flatMap(Double.init) }.sorted()
            if values.isEmpty { metric = 0 } else {
                let p = min(max(rule.percentile ?? 50, 0), 100)
                let rank = Int((p / 100 * Double(values.count - 1)).rounded())
                metric = values[rank]
            }
        case .temporal:
            metric = Double(Set(window.map(\.rule)).count)
        case .temporalOrdered:
            // The longest prefix of `rules` matched in order within the window.
            var next = 0
            for entry in window where next < rule.rules.count && entry.rule == next { next += 1 }
            metric = Double(next)
        }
        return (rule.comparisons.allSatisfy { $0.holds(metric) }, Int64(window.count))
    }

    private func alert(_ rule: CorrelationRule, group: Group, count: Int64, end: Timestamp,
                       window: ArraySlice<Entry>? = nil) -> AlertRecord {
        let entries = window ?? group.live
        let start = entries.first?.timestamp ?? end
        let id = AlertID.make(parts: [Array("correlation".utf8), Array(rule.key.utf8), Array(group.key.utf8),
                                      Array(String(start.nanoseconds).utf8), Array(String(end.nanoseconds).utf8)])
        var alert = AlertRecord(timestamp: end, id: id, kind: .correlation, ruleID: rule.key, ruleName: rule.title,
                                count: count, windowStart: start, windowEnd: end)
        alert.correlationType = rule.type.rawValue
        alert.ruleDescription = rule.description
        alert.ruleset = rule.file
        alert.level = rule.level
        alert.tags = rule.tags
        alert.group = group.key
        var seen = Set<String>()
        for entry in entries {
            guard let id = entry.communityID, seen.count < 100, seen.insert(id).inserted else { continue }
            alert.communityIDs.append(id)
        }
        return alert
    }
}

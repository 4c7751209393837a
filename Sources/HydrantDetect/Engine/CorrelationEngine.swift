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
        /// `value` as a number (`Double(value)`), parsed once when the match arrives (for the types that sum or
        /// rank values; nil for the others).
        var number: Double?
        var communityID: String?
    }

    /// One group's window. Besides the entries, it keeps running aggregates of its live entries (from `head`
    /// on), so that deciding the window after each match costs what changed rather than the whole window.
    private final class Group {
        let key: String
        let fields: [String: String]
        let type: CorrelationType
        var entries: [Entry] = []
        var head = 0
        var quiet = false
        var lastUpdate = Timestamp.zero
        /// `value_count`: how many live entries hold each value.
        var distinct: [String: Int] = [:]
        /// `value_sum`/`value_avg`: live entries with a numeric value, and those that are integers of magnitude
        /// below 2^53 summed exactly (with the sum of their magnitudes, which bounds every partial sum).
        var numbers = 0
        var integers = 0
        var integerSum: Int64 = 0
        var magnitudeSum: Int64 = 0
        var overflowed = false
        /// `temporal`: live entries per referenced rule, and how many rules have at least one.
        var ruleCounts: [Int] = []
        var rulesPresent = 0

        init(key: String, fields: [String: String], type: CorrelationType, ruleCount: Int) {
            self.key = key
            self.fields = fields
            self.type = type
            if type == .temporal { ruleCounts = Array(repeating: 0, count: ruleCount) }
        }

        var live: ArraySlice<Entry> { entries[head...] }
        var isEmpty: Bool { head == entries.count }

        func append(_ entry: Entry) {
            entries.append(entry)
            account(entry, adding: true)
        }

        /// Drops the first `count` live entries from the window.
        func advance(by count: Int) {
            for i in head..<(head + count) { account(entries[i], adding: false) }
            head += count
        }

        func compact() {
            if head > 64 && head * 2 > entries.count {
                entries.removeFirst(head)
                head = 0
            }
        }

        /// The metric of the whole live window, when the running aggregates give it exactly as a fresh
        /// computation would; nil when it must be computed from the entries.
        func liveMetric() -> Double? {
            switch type {
            case .eventCount: return Double(entries.count - head)
            case .valueCount: return Double(distinct.count)
            case .temporal: return Double(rulesPresent)
            case .valueSum, .valueAverage:
                // Integers summed in any order give the same Double while every partial sum stays below 2^53.
                guard integers == numbers, !overflowed, magnitudeSum < (1 << 53) else { return nil }
                let sum = Double(integerSum)
                if type == .valueSum { return sum }
                return numbers == 0 ? 0 : sum / Double(numbers)
            case .valuePercentile, .temporalOrdered: return nil
            }
        }

        private func account(_ entry: Entry, adding: Bool) {
            switch type {
            case .valueCount:
                guard let value = entry.value else { return }
                if adding { distinct[value, default: 0] += 1 } else if let n = distinct[value] {
                    if n <= 1 { distinct.removeValue(forKey: value) } else { distinct[value] = n - 1 }
                }
            case .valueSum, .valueAverage:
                guard let number = entry.number else { return }
                numbers += adding ? 1 : -1
                guard number.rounded() == number, abs(number) < 9_007_199_254_740_992 else { return }
                integers += adding ? 1 : -1
                let whole = Int64(number)
                let (sum, o1) = adding ? integerSum.addingReportingOverflow(whole) : integerSum.subtractingReportingOverflow(whole)
                let size = Int64(whole.magnitude)  // below 2^53, so it fits
                let (magnitude, o2) = adding ? magnitudeSum.addingReportingOverflow(size) : magnitudeSum.subtractingReportingOverflow(size)
                integerSum = sum
                magnitudeSum = magnitude
                if o1 || o2 { overflowed = true }
            case .temporal:
                guard entry.rule < ruleCounts.count else { return }
                if adding {
                    if ruleCounts[entry.rule] == 0 { rulesPresent += 1 }
                    ruleCounts[entry.rule] += 1
                } else {
                    ruleCounts[entry.rule] -= 1
                    if ruleCounts[entry.rule] == 0 { rulesPresent -= 1 }
                }
            case .eventCount, .valuePercentile, .temporalOrdered:
                return
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

    /// Takes over the state `previous` built for the correlations that did not change: their groups and open
    /// windows, the matches still waiting for the watermark that belong to unchanged rules, the watermark itself
    /// and the counters. `unchanged` holds the keys of the rules (detections and correlations) whose compiled
    /// definition is the same in both rule sets (see `RuleDefinitions.unchangedKeys`). Returns the keys of the
    /// correlations whose state was kept. Call it on a fresh engine, before anything is ingested.
    @discardableResult
    func adoptState(from previous: CorrelationEngine, unchanged: Set<String>) -> [String] {
        var kept: [String] = []
        var previousByKey: [String: Int] = [:]
        for (index, state) in previous.states.enumerated() { previousByKey[state.rule.key] = index }
        for index in states.indices {
            let key = states[index].rule.key
            guard unchanged.contains(key), let old = previousByKey[key] else { continue }
            states[index].groups = previous.states[old].groups
            kept.append(key)
        }
        pending = previous.pending.filter { unchanged.contains($0.0.ruleKey) && byRule[$0.0.ruleKey] != nil }
        sequence = previous.sequence
        maximumSeen = previous.maximumSeen
        released = previous.released
        watermark = previous.watermark
        lateEvents = previous.lateEvents
        evictedGroups = previous.evictedGroups
        return kept
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
            let lookup = Self.lookupKey(rule.groupBy, event.fields)
            let group: Group
            if let existing = states[index].groups[lookup] { group = existing } else {
                if states[index].groups.count >= maximumGroups,
                   let oldest = states[index].groups.min(by: { $0.value.lastUpdate < $1.value.lastUpdate }) {
                    states[index].groups.removeValue(forKey: oldest.key)
                    evictedGroups += 1
                }
                var fields: [String: String] = [:]
                for entry in rule.groupBy { fields[entry] = event.fields[entry] }
                let groupKey = rule.groupBy.map { "\($0)=\(event.fields[$0] ?? "")" }.joined(separator: ",")
                group = Group(key: groupKey, fields: fields, type: rule.type, ruleCount: rule.rules.count)
                states[index].groups[lookup] = group
            }
            // Slide: drop what is more than `timespan` before this event.
            var expired = 0
            while group.head + expired < group.entries.count,
                  event.timestamp.nanoseconds &- group.entries[group.head + expired].timestamp.nanoseconds > rule.timespan {
                expired += 1
            }
            group.advance(by: expired)
            if group.isEmpty { group.quiet = false }
            group.compact()
            let ruleIndex = rule.rules.firstIndex(of: event.ruleKey) ?? 0
            let value = rule.valueField.flatMap { event.fields[$0] }
            let numeric = rule.type == .valueSum || rule.type == .valueAverage || rule.type == .valuePercentile
            group.append(Entry(timestamp: event.timestamp, rule: ruleIndex, value: value,
                               number: numeric ? value.flatMap(Double.init) : nil,
                               communityID: event.communityID))
            group.lastUpdate = event.timestamp
            guard states[index].upward, !group.quiet else { continue }
            let holds: Bool
            let count: Int64
            if let metric = group.liveMetric() {
                holds = rule.comparisons.allSatisfy { $0.holds(metric) }
                count = Int64(group.entries.count - group.head)
            } else {
                (holds, count) = evaluate(rule, group.live)
            }
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
                    group.advance(by: window.count)
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
            for entry in window { if let d = entry.number { sum += d; n += 1 } }
            metric = rule.type == .valueSum ? sum : (n == 0 ? 0 : sum / Double(n))
        case .valuePercentile:
            let values = window.compactMap(\.number).sorted()
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

    /// The dictionary key of an event's group: its group-by values (a missing field as empty, as in the group's
    /// name), joined by a separator that network values do not hold. A single group-by value is its own key, which
    /// a short address keeps inline in the string rather than on the heap.
    private static func lookupKey(_ groupBy: [String], _ fields: [String: String]) -> String {
        if groupBy.count == 1 { return fields[groupBy[0]] ?? "" }
        var key = ""
        for (i, name) in groupBy.enumerated() {
            if i > 0 { key += "\u{1F}" }
            key += fields[name] ?? ""
        }
        return key
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

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

    /// One correlation: its definition with everything the per-match path reads resolved to indexes once, and
    /// its groups. A class, so that handling a match copies no rule.
    private final class State {
        let rule: CorrelationRule
        let key: String
        let type: CorrelationType
        let timespan: Int64
        let comparisons: [CorrelationComparison]
        let ruleCount: Int
        /// Conditions made only of `gt`/`gte`: decided on every match rather than when a window closes.
        let upward: Bool
        /// The types that read the value field as a number.
        let numeric: Bool
        /// `group-by` names and their entry indexes.
        let groupByNames: [String]
        let groupBy: [Int]
        /// `groupBy` in memory the state owns, for the per-match path (reading the array retained it per match).
        let groupByEntries: UnsafeMutablePointer<Int>
        /// The value field's entry index.
        let valueEntry: Int?
        /// Referenced only by correlations with `generate: false`: feeds them, does not alert.
        let silenced: Bool
        /// This correlation's index in the source table when another correlation references it, else -1.
        let selfSource: Int32
        /// The groups: keys and values in the store, windows by the store's slots.
        var store: CorrelationGroupStore { didSet { storeRef = .passUnretained(store) } }
        var windows: CorrelationWindows { didSet { windowsRef = .passUnretained(windows) } }
        /// `store` and `windows` unretained for the per-match path (reading the properties retained each per
        /// match and correlation).
        private(set) var storeRef: Unmanaged<CorrelationGroupStore>
        private(set) var windowsRef: Unmanaged<CorrelationWindows>
        /// An upward condition as one bound (the tightest of its `gt`/`gte` bounds; strict when a `gt` bound is the
        /// tightest): the comparisons' operations are strings, matched per comparison and match. Nil when not
        /// upward or a bound is NaN (then the comparisons decide).
        let upwardBound: (value: Double, strict: Bool)?
        /// Group names made for alerts, by slot (most groups never alert).
        var names: [Int32: String] = [:]
        /// A lower bound on the first live entry time of every group (Int64.max: none), so that closing windows
        /// skips the correlation until one of its windows can have ended.
        var earliestFirst = Int64.max
        /// Fed only by detection rules, whose matches arrive in event-time order: a group none of whose entries
        /// can count any more may then be dropped (a chained correlation's matches carry their window's end,
        /// which can be earlier than matches already released).
        var sweepable = true
        /// The group count at which expired groups are next dropped.
        var sweepAt: Int

        init(rule: CorrelationRule, entryIndex: [String: Int], silenced: Bool, selfSource: Int32, sweepAt: Int) {
            self.rule = rule
            key = rule.key
            type = rule.type
            timespan = rule.timespan
            comparisons = rule.comparisons
            ruleCount = rule.rules.count
            upward = rule.comparisons.allSatisfy { $0.operation == "gt" || $0.operation == "gte" }
            numeric = rule.type == .valueSum || rule.type == .valueAverage || rule.type == .valuePercentile
            groupByNames = rule.groupBy
            groupBy = rule.groupBy.map { entryIndex[$0] ?? 0 }
            groupByEntries = .allocate(capacity: max(groupBy.count, 1))
            groupByEntries.initialize(from: groupBy, count: groupBy.count)
            valueEntry = rule.valueField.flatMap { entryIndex[$0] }
            self.silenced = silenced
            self.selfSource = selfSource
            self.sweepAt = sweepAt
            let store = CorrelationGroupStore(parts: rule.groupBy.count)
            let windows = CorrelationWindows(type: rule.type, ruleCount: rule.rules.count)
            self.store = store
            self.windows = windows
            storeRef = .passUnretained(store)
            windowsRef = .passUnretained(windows)
            var bound: (value: Double, strict: Bool)?
            if upward && !rule.comparisons.contains(where: { $0.value.isNaN }) {
                for comparison in rule.comparisons {
                    let strict = comparison.operation == "gt"
                    if let tightest = bound, tightest.value > comparison.value
                        || (tightest.value == comparison.value && tightest.strict) {
                        continue
                    }
                    bound = (comparison.value, strict)
                }
            }
            upwardBound = bound
        }

        deinit { groupByEntries.deallocate() }

        /// Whether the metric satisfies the condition.
        @inline(__always)
        func holds(_ metric: Double) -> Bool {
            guard let bound = upwardBound else { return comparisons.allSatisfy { $0.holds(metric) } }
            return bound.strict ? metric > bound.value : metric >= bound.value
        }

        /// The group's name in alerts (`source.ip=10.0.0.1,destination.port=22`; a missing value as empty).
        func groupName(_ slot: Int32) -> String {
            if let cached = names[slot] { return cached }
            var name = ""
            for (i, field) in groupByNames.enumerated() {
                if i > 0 { name += "," }
                name += "\(field)="
                if let part = store.part(i, of: slot) { name += String(decoding: part, as: UTF8.self) }
            }
            names[slot] = name
            return name
        }

        /// Removes the group in `slot` with its window; the slot is reused by a later group.
        func removeGroup(_ slot: Int32) {
            store.remove(slot)
            windows.clear(slot)
            if !names.isEmpty { names[slot] = nil }
        }

        /// Drops the groups none of whose entries can count in a window of a match at `time` or later. Dropping
        /// one changes nothing an alert shows: a group made afresh for its values starts as an expired one
        /// continues (empty window, not quiet, no values).
        func sweep(at time: Timestamp, minimum: Int) {
            for slot in store.liveSlots where windows.expired(slot, at: time.nanoseconds, timespan: timespan) {
                removeGroup(slot)
            }
            sweepAt = max(minimum, store.count * 2)
            if !upward { recomputeEarliestFirst() }
        }

        /// The group updated longest ago (the first found among equals), or nil when there is none.
        func leastRecentlyUpdated() -> Int32? {
            var oldest: Int32?
            var oldestTime = Int64.max
            for slot in store.liveSlots where oldest == nil || windows.lastUpdate(slot) < oldestTime {
                oldest = slot
                oldestTime = windows.lastUpdate(slot)
            }
            return oldest
        }

        /// Recomputes `earliestFirst` from the groups.
        func recomputeEarliestFirst() {
            var earliest = Int64.max
            for slot in store.liveSlots {
                if let first = windows.firstTime(slot) { earliest = min(earliest, first) }
            }
            earliestFirst = earliest
        }
    }

    /// A correlation that a source feeds, and the source's position in its `rules` list.
    private struct Target {
        let state: Int
        let position: Int
    }

    /// How far behind the highest event time a match may arrive and still count.
    public let allowedLateness: Int64
    /// The most groups kept per correlation.
    public let maximumGroups: Int
    /// Matches dropped because they arrived behind the watermark.
    public private(set) var lateEvents = 0
    /// Groups evicted because a correlation reached `maximumGroups`.
    public private(set) var evictedGroups = 0

    private var states: [State] = []
    /// The keys of the rules (detections and correlations) that correlations reference, by source index.
    private var sourceKeys: [String] = []
    private var sourceIndex: [String: Int32] = [:]
    /// Per source, the correlations it feeds (in correlation order).
    private var targets: [[Target]] = []
    /// `targets` flattened for the per-match path: the targets of source `s` are
    /// `targetList[targetStart[s]..<targetStart[s + 1]]` (no inner array to retain per match).
    private var targetStart: [Int32] = [0]
    private var targetList: [Target] = []
    /// `states`, unretained, for the per-match path (`states` owns them).
    private var stateRefs: [Unmanaged<State>] = []
    /// The names of the correlation fields (group-by entries and value fields of every correlation), by entry
    /// index: a match carries its values in this order.
    private(set) var entryNames: [String] = []
    private var entryIndex: [String: Int] = [:]
    private let pending: CorrelationReorderBuffer
    /// Whether some correlation decides its windows when they close (`lt`, `lte`, `eq`, `neq`): only then does
    /// releasing a match look for windows that ended before it.
    private var hasClosingWindows = false
    /// The values of the match being processed (reused): a view of its slot in `pending`.
    private let current: CorrelationMatchValues
    /// Where a match's group key is joined (reused; grown as needed).
    private var keyScratch: UnsafeMutablePointer<UInt8>
    private var keyCapacity = 256
    private var sequence: UInt64 = 0
    private var maximumSeen = Timestamp(nanoseconds: Int64.min)
    private var released = Timestamp(nanoseconds: Int64.min)
    private var watermark = Timestamp(nanoseconds: Int64.min)

    /// A correlation's expired groups are dropped when it holds this many groups, or twice as many as were left
    /// after the last sweep: a steady stream of new groups (each source address of a port scan rule) then costs
    /// memory for the groups of one timespan, not of the whole run.
    let sweepMinimum: Int

    deinit { keyScratch.deallocate() }

    /// An engine for the correlations of `rules`.
    public convenience init(rules: RuleSet, allowedLateness: Int64 = 30_000_000_000, maximumGroups: Int = 1_000_000) {
        self.init(rules: rules, allowedLateness: allowedLateness, maximumGroups: maximumGroups, sweepMinimum: 4096)
    }

    /// An engine whose correlations drop expired groups from `sweepMinimum` groups on (`Int.max`: never).
    init(rules: RuleSet, allowedLateness: Int64, maximumGroups: Int, sweepMinimum: Int) {
        self.allowedLateness = allowedLateness
        self.maximumGroups = maximumGroups
        self.sweepMinimum = max(sweepMinimum, 1)
        for rule in rules.correlations {
            for name in rule.groupBy + (rule.valueField.map { [$0] } ?? []) where entryIndex[name] == nil {
                entryIndex[name] = entryNames.count
                entryNames.append(name)
            }
        }
        pending = CorrelationReorderBuffer(width: entryNames.count)
        current = CorrelationMatchValues(width: entryNames.count)
        keyScratch = .allocate(capacity: keyCapacity)
        for (index, rule) in rules.correlations.enumerated() {
            var seen = Set<String>()
            for (position, key) in rule.rules.enumerated() where seen.insert(key).inserted {
                let source: Int32
                if let existing = sourceIndex[key] { source = existing } else {
                    source = Int32(sourceKeys.count)
                    sourceIndex[key] = source
                    sourceKeys.append(key)
                    targets.append([])
                }
                targets[Int(source)].append(Target(state: index, position: position))
            }
        }
        let correlationKeys = Set(rules.correlations.map(\.key))
        var generating = Set<String>()
        var silenced = Set<String>()
        for rule in rules.correlations {
            for key in rule.rules where correlationKeys.contains(key) {
                if rule.generate { generating.insert(key) } else { silenced.insert(key) }
            }
        }
        silenced.subtract(generating)
        states = rules.correlations.map { rule in
            State(rule: rule, entryIndex: entryIndex, silenced: silenced.contains(rule.key),
                  selfSource: sourceIndex[rule.key] ?? -1, sweepAt: self.sweepMinimum)
        }
        for state in states where state.rule.rules.contains(where: correlationKeys.contains) { state.sweepable = false }
        hasClosingWindows = states.contains { !$0.upward }
        for feeds in targets {
            targetList += feeds
            targetStart.append(Int32(targetList.count))
        }
        stateRefs = states.map { Unmanaged.passUnretained($0) }
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
        for (index, state) in previous.states.enumerated() { previousByKey[state.key] = index }
        for state in states {
            guard unchanged.contains(state.key), let old = previousByKey[state.key] else { continue }
            state.store = previous.states[old].store
            state.windows = previous.states[old].windows
            state.names = previous.states[old].names
            state.recomputeEarliestFirst()
            kept.append(state.key)
        }
        // Buffered matches keep their arrival sequence, so their order among equal times survives the move.
        let entryMap = previous.entryNames.map { entryIndex[$0] }
        for key in previous.pending.keys {
            let oldSource = previous.pending.source(key.slot)
            guard oldSource >= 0 else { continue }
            let ruleKey = previous.sourceKeys[Int(oldSource)]
            guard unchanged.contains(ruleKey), let source = sourceIndex[ruleKey] else { continue }
            let slot = pending.add(time: key.time, sequence: key.sequence, source: source,
                                   communityID: previous.pending.communityID(key.slot))
            for (oldEntry, newEntry) in entryMap.enumerated() {
                guard let newEntry, let value = previous.pending.value(key.slot, entry: oldEntry) else { continue }
                pending.setValue(value, slot: slot, entry: newEntry)
            }
        }
        sequence = previous.sequence
        maximumSeen = previous.maximumSeen
        released = previous.released
        watermark = previous.watermark
        lateEvents = previous.lateEvents
        evictedGroups = previous.evictedGroups
        return kept
    }

    /// The groups a correlation holds now (expired ones included until they are swept).
    func groupCount(_ correlationKey: String) -> Int {
        states.first { $0.key == correlationKey }?.store.count ?? 0
    }

    /// Whether any correlation references the rule with this key.
    public func references(_ ruleKey: String) -> Bool { sourceIndex[ruleKey] != nil }

    /// Adds matches and returns the alerts of the windows the new watermark decides.
    public func ingest(_ events: [Event]) -> [AlertRecord] {
        for event in events {
            guard let slot = enqueue(source: sourceIndex[event.ruleKey] ?? -1, timestamp: event.timestamp,
                                     communityID: event.communityID.map(InlineText.init)) else { continue }
            for (name, value) in event.fields {
                if let entry = entryIndex[name] { pending.setValue(InlineText(value), slot: slot, entry: entry) }
            }
        }
        return releaseReady()
    }

    /// The source index of a referenced rule (what `enqueue` takes), or nil when no correlation references it.
    func source(of ruleKey: String) -> Int32? { sourceIndex[ruleKey] }

    /// The entry index of a correlation field name (what `setValue` takes).
    func entry(named name: String) -> Int? { entryIndex[name] }

    /// Buffers one match of `source` (-1: a rule nothing references, which still moves event time on); returns
    /// the slot for its field values, or nil when it is late (behind the watermark or what was already released)
    /// and was counted and dropped. Call `releaseReady` after a batch of matches.
    func enqueue(source: Int32, timestamp: Timestamp, communityID: InlineText?) -> Int32? {
        guard let communityID else { return enqueue(source: source, timestamp: timestamp, communityIDBytes: nil) }
        return communityID.withBytes { enqueue(source: source, timestamp: timestamp, communityIDBytes: $0) }
    }

    /// `enqueue(source:timestamp:communityID:)` with the Community ID's bytes (nil: none), read from the record
    /// in place.
    func enqueue(source: Int32, timestamp: Timestamp, communityIDBytes: UnsafeBufferPointer<UInt8>?) -> Int32? {
        if timestamp < watermark || timestamp < released {
            lateEvents += 1
            return nil
        }
        if timestamp > maximumSeen {
            maximumSeen = timestamp
            watermark = Timestamp(nanoseconds: maximumSeen.nanoseconds &- allowedLateness)
        }
        let slot = pending.add(time: timestamp.nanoseconds, sequence: sequence, source: source,
                               communityIDBytes: communityIDBytes)
        sequence &+= 1
        return slot
    }

    /// Sets a field value of a match that `enqueue` buffered.
    @inline(__always)
    func setValue(_ value: InlineText?, slot: Int32, entry: Int) { pending.setValue(value, slot: slot, entry: entry) }

    /// Sets a field value of a match that `enqueue` buffered, from the value's bytes.
    @inline(__always)
    func setValue(bytes: UnsafeBufferPointer<UInt8>, slot: Int32, entry: Int) {
        // Unretained: `pending` lives as long as the engine, and a retain and release per value cost about as
        // much as storing it.
        Unmanaged.passUnretained(pending)._withUnsafeGuaranteedRef { $0.setValue(bytes: bytes, slot: slot, entry: entry) }
    }

    /// Processes the buffered matches the watermark has passed and returns the alerts they and the watermark
    /// decide.
    func releaseReady() -> [AlertRecord] { release(upTo: watermark) }

    /// Releases every buffered match and closes every window (end of input).
    public func finish() -> [AlertRecord] {
        var alerts = release(upTo: Timestamp(nanoseconds: Int64.max))
        closeWindows(at: Timestamp(nanoseconds: Int64.max), into: &alerts)
        return alerts
    }

    private func release(upTo watermark: Timestamp) -> [AlertRecord] {
        var alerts: [AlertRecord] = []
        while let key = pending.popFirst(atMost: watermark.nanoseconds) {
            pending.prefetchEarliest()
            let time = Timestamp(nanoseconds: key.time)
            // The match is read in its slot, which is freed once it has been processed (nothing is buffered
            // meanwhile).
            let source = pending.view(key.slot, into: current)
            if hasClosingWindows { closeWindows(at: time, into: &alerts) }
            released = time
            if source >= 0 { process(source: Int(source), time: time, values: current, into: &alerts) }
            pending.discard(key.slot)
        }
        if watermark.nanoseconds != Int64.max && watermark > released {
            closeWindows(at: watermark, into: &alerts)
        }
        return alerts
    }

    /// Adds a match of `source` at `time` (its field values by entry index, and its Community ID) to the windows
    /// of the correlations it feeds; returns the alerts of those whose condition it satisfies.
    private func process(source: Int, time: Timestamp, values: CorrelationMatchValues, into alerts: inout [AlertRecord]) {
        for t in Int(targetStart[source])..<Int(targetStart[source + 1]) {
            let target = targetList[t]
            // Unretained: `states` owns every state for the engine's life (a retain and a release per match and
            // correlation, like those of the target list, the store and the group-by list, cost more than most
            // matches' window work).
            stateRefs[target.state]._withUnsafeGuaranteedRef { state in
                process(state, position: target.position, time: time, values: values, into: &alerts)
            }
        }
    }

    /// Adds a match to the window of its group in one correlation (`position`: its rule's place in the
    /// correlation's `rules`).
    @inline(__always)
    private func process(_ state: State, position: Int, time: Timestamp, values: CorrelationMatchValues,
                         into alerts: inout [AlertRecord]) {
        let slot = state.storeRef._withUnsafeGuaranteedRef { store -> Int32 in
            let key = groupKey(state, values)
            let hash = store.hash(key)
            var slot = store.find(key, hash: hash)
            guard slot < 0 else { return slot }
            if state.sweepable && store.count >= state.sweepAt { state.sweep(at: time, minimum: sweepMinimum) }
            if store.count >= maximumGroups, let oldest = state.leastRecentlyUpdated() {
                state.removeGroup(oldest)
                evictedGroups += 1
            }
            slot = store.insert(key, hash: hash) { values.length(state.groupByEntries[$0]) }
            state.windows.open(slot)
            return slot
        }
        let fired = state.windowsRef._withUnsafeGuaranteedRef { windows -> Int64? in
            // Slide: drop what is more than `timespan` before this event.
            windows.slide(slot, to: time.nanoseconds, timespan: state.timespan)
            if windows.isEmpty(slot) {
                windows.setQuiet(slot, false)
                state.earliestFirst = min(state.earliestFirst, time.nanoseconds)
            }
            let value = state.valueEntry.flatMap { values.value($0) }
            windows.append(slot, time: time.nanoseconds, rule: position, value: value,
                           number: state.numeric ? value.flatMap(Self.number(bytes:)) : nil,
                           communityID: values.communityID)
            guard state.upward, !windows.isQuiet(slot) else { return nil }
            let holds: Bool
            let count: Int64
            if let metric = windows.liveMetric(slot) {
                holds = state.holds(metric)
                count = Int64(windows.count(slot))
            } else {
                (holds, count) = evaluate(state, windows.entries(slot)[...])
            }
            guard holds else { return nil }
            windows.setQuiet(slot, true)
            return count
        }
        if let count = fired {
            let chained = CorrelationMatchValues(width: entryNames.count)
            for entry in state.groupBy { chained.set(entry, values.value(entry)) }
            chained.setCommunityID(values.communityID)
            fire(alert(state, slot: slot, count: count, end: time), state: state, values: chained, into: &alerts)
        }
    }

    /// Emits a correlation alert (unless only chained correlations with `generate: false` use the rule) and feeds
    /// it to the correlations that reference this one, as a match at the window's end with this group's values.
    private func fire(_ alert: AlertRecord, state: State, values: CorrelationMatchValues, into alerts: inout [AlertRecord]) {
        if !state.silenced { alerts.append(alert) }
        if state.selfSource >= 0 {
            process(source: Int(state.selfSource), time: alert.windowEnd, values: values, into: &alerts)
        }
    }

    /// Decides the windows (of non-upward conditions) whose first event is more than `timespan` before `time`.
    private func closeWindows(at time: Timestamp, into alerts: inout [AlertRecord]) {
        for state in states where !state.upward {
            // No window can have ended before the earliest first entry plus the timespan. (Negative times could
            // wrap the difference: they always take the full pass.)
            if time.nanoseconds != Int64.max, time.nanoseconds >= 0, state.earliestFirst >= 0,
               time.nanoseconds &- state.earliestFirst <= state.timespan {
                continue
            }
            let named = state.store.liveSlots.map { (slot: $0, name: state.groupName($0)) }
            let windows = state.windows
            for (slot, _) in named.sorted(by: { $0.name < $1.name }) {
                while let first = windows.firstTime(slot) {
                    guard time.nanoseconds == Int64.max || time.nanoseconds &- first > state.timespan else { break }
                    let end = first &+ state.timespan
                    let window = windows.entries(slot) { $0.timestamp <= end }
                    let (holds, count) = evaluate(state, window[...])
                    if holds {
                        let made = alert(state, slot: slot, count: count,
                                         end: Timestamp(nanoseconds: window.last?.timestamp ?? first), window: window)
                        let chained = CorrelationMatchValues(width: entryNames.count)
                        for (i, entry) in state.groupBy.enumerated() {
                            guard let part = state.store.part(i, of: slot) else { continue }
                            part.withUnsafeBufferPointer { chained.set(entry, $0) }
                        }
                        fire(made, state: state, values: chained, into: &alerts)
                    }
                    // Decided windows do not overlap: the next one starts at the first event after this one.
                    windows.advance(slot, by: window.count)
                }
            }
            state.recomputeEarliestFirst()
        }
    }
    /// `Double(String)` of a value's text, without making the `String` for plain integers (every match of a
    /// `value_sum` correlation on bytes or packets).
    static func number(_ text: InlineText) -> Double? {
        text.withBytes { number(bytes: $0) }
    }

    /// `Double(String)` of the text of `bytes` (see `number(_:)`).
    static func number(bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        let negative = bytes.count > 1 && bytes[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        // Up to 18 digits cannot overflow; anything else (signs, fractions, exponents, hex, inf) is parsed
        // as `Double(String)` parses it.
        guard bytes.count > i, bytes.count - i <= 18 else { return Double(String(decoding: bytes, as: UTF8.self)) }
        var value: Int64 = 0
        while i < bytes.count {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return Double(String(decoding: bytes, as: UTF8.self)) }
            value = value * 10 + Int64(digit)
            i += 1
        }
        if negative { return value == 0 ? -0.0 : Double(-value) }
        return Double(value)
    }

    /// Whether the window satisfies the rule's condition, and the count reported in the alert.
    private func evaluate(_ state: State, _ window: ArraySlice<CorrelationWindows.Entry>) -> (Bool, Int64) {
        let metric: Double
        switch state.type {
        case .eventCount:
            metric = Double(window.count)
        case .valueCount:
            // A group's live entries share a row exactly when they share a value.
            var distinct = Set<Int32>()
            for entry in window where entry.valueID >= 0 { distinct.insert(entry.valueID) }
            metric = Double(distinct.count)
        case .valueSum, .valueAverage:
            var sum = 0.0
            var n = 0
            for entry in window where entry.hasNumber { sum += entry.number; n += 1 }
            metric = state.type == .valueSum ? sum : (n == 0 ? 0 : sum / Double(n))
        case .valuePercentile:
            let values = window.compactMap { $0.hasNumber ? $0.number : nil }.sorted()
            if values.isEmpty { metric = 0 } else {
                let p = min(max(state.rule.percentile ?? 50, 0), 100)
                let rank = Int((p / 100 * Double(values.count - 1)).rounded())
                metric = values[rank]
            }
        case .temporal:
            metric = Double(Set(window.map(\.rule)).count)
        case .temporalOrdered:
            // The longest prefix of `rules` matched in order within the window.
            var next = 0
            for entry in window where next < state.ruleCount && Int(entry.rule) == next { next += 1 }
            metric = Double(next)
        }
        return (state.comparisons.allSatisfy { $0.holds(metric) }, Int64(window.count))
    }

    /// The key of a match's group: its group-by values (a missing field as empty, as in the group's name), joined
    /// by a separator that network values do not hold. A single group-by value is its own key, read in place.
    @inline(__always)
    private func groupKey(_ state: State, _ values: CorrelationMatchValues) -> UnsafeBufferPointer<UInt8> {
        let groupBy = state.groupByEntries
        let parts = state.groupBy.count
        if parts == 1 { return values.value(groupBy[0]) ?? UnsafeBufferPointer(start: nil, count: 0) }
        var total = max(parts - 1, 0)
        for position in 0..<parts { total += max(Int(values.length(groupBy[position])), 0) }
        if total > keyCapacity {
            keyScratch.deallocate()
            keyCapacity = max(total, keyCapacity * 2)
            keyScratch = .allocate(capacity: keyCapacity)
        }
        var at = 0
        for position in 0..<parts {
            let entry = groupBy[position]
            if position > 0 {
                keyScratch[at] = 0x1F
                at += 1
            }
            if let value = values.value(entry), let base = value.baseAddress, !value.isEmpty {
                (keyScratch + at).update(from: base, count: value.count)
                at += value.count
            }
        }
        return UnsafeBufferPointer(start: keyScratch, count: total)
    }

    private func alert(_ state: State, slot: Int32, count: Int64, end: Timestamp,
                       window: [CorrelationWindows.Entry]? = nil) -> AlertRecord {
        let rule = state.rule
        let name = state.groupName(slot)
        // A decided window is the first entries of the live ones.
        let start = window.map { $0.first?.timestamp } ?? state.windows.firstTime(slot)
        let startTime = start.map { Timestamp(nanoseconds: $0) } ?? end
        let id = AlertID.make(parts: [Array("correlation".utf8), Array(rule.key.utf8), Array(name.utf8),
                                      Array(String(startTime.nanoseconds).utf8), Array(String(end.nanoseconds).utf8)])
        var alert = AlertRecord(timestamp: end, id: id, kind: .correlation, ruleID: rule.key, ruleName: rule.title,
                                count: count, windowStart: startTime, windowEnd: end)
        alert.correlationType = rule.type.rawValue
        alert.ruleDescription = rule.description
        alert.ruleset = rule.file
        alert.level = rule.level
        alert.tags = rule.tags
        alert.group = name
        alert.communityIDs = state.windows.communityIDs(slot, first: window?.count ?? state.windows.count(slot),
                                                        limit: 100)
        return alert
    }
}

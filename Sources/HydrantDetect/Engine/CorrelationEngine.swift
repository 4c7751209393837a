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

    /// One match in a group's window, as small as the aggregates and the alert's evidence allow: windows hold
    /// every match of their timespan (an hour of flows for some), so a copy of the match's values per entry made
    /// the windows most of the engine's memory and of its cache misses.
    private struct Entry {
        var timestamp: Timestamp
        /// The value as a number (`Double(value)`), parsed once when the match arrives (for the types that sum or
        /// rank values); valid when `hasNumber`.
        var number: Double
        /// The referenced rule's position in the correlation's `rules`.
        var rule: Int32
        /// `value_count`: the value's id in the group's distinct-value table; -1 when the match had no value.
        var valueID: Int32
        var hasNumber: Bool
        var communityID: ShortText
    }

    /// A distinct value of a `value_count` group's window: the value, its fingerprint (compared before the value),
    /// and how many live entries hold it.
    private struct DistinctValue {
        var value: InlineText
        let fingerprint: UInt64
        var count: Int32
    }

    /// One group's window. Besides the entries, it keeps running aggregates of its live entries (from `head`
    /// on), so that deciding the window after each match costs what changed rather than the whole window.
    /// One per slot of the correlation's group store, reused (with its storage's capacity) by each group the
    /// slot holds in turn; the group's key and values live in the store.
    private final class Group {
        /// The group's name in alerts (`source.ip=10.0.0.1,destination.port=22`), made when first needed: most
        /// groups never alert.
        var cachedKey: String?
        let type: CorrelationType
        var entries: [Entry] = []
        var head = 0
        var quiet = false
        var lastUpdate = Timestamp.zero
        /// `value_count`: the id of each value some live entry holds; per id, the value, its fingerprint and how
        /// many live entries hold it. Entries keep the id rather than the value; ids of values no longer live are
        /// reused. Up to `smallDistinct` ids are found by comparing fingerprints, then values, in turn, since most
        /// groups hold a few values and a dictionary per group cost an allocation and a hash per match; past that
        /// `distinctIDs` indexes them.
        var distinctIDs: [InlineText: Int32] = [:]
        var indexed = false
        var distinct: [DistinctValue] = []
        var freeIDs: [Int32] = []
        /// Ids with at least one live entry.
        var distinctLive = 0
        static let smallDistinct = 16
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

        init(type: CorrelationType, ruleCount: Int) {
            self.type = type
            if type == .temporal { ruleCounts = Array(repeating: 0, count: ruleCount) }
        }

        var live: ArraySlice<Entry> { entries[head...] }
        var isEmpty: Bool { head == entries.count }

        func append(time: Timestamp, rule: Int, value: UnsafeBufferPointer<UInt8>?, number: Double?,
                    communityID: ShortText) {
            var valueID: Int32 = -1
            if type == .valueCount, let value { valueID = holdValue(InlineText(value)) }
            let entry = Entry(timestamp: time, number: number ?? 0, rule: Int32(truncatingIfNeeded: rule),
                              valueID: valueID, hasNumber: number != nil, communityID: communityID)
            entries.append(entry)
            account(entry, adding: true)
        }

        /// Counts one more live entry holding `value`; returns its id.
        private func holdValue(_ value: InlineText) -> Int32 {
            let fingerprint = value.fingerprint
            if indexed {
                if let id = distinctIDs[value] {
                    distinct[Int(id)].count += 1
                    return id
                }
            } else {
                for i in distinct.indices where distinct[i].fingerprint == fingerprint && distinct[i].count > 0
                    && distinct[i].value == value {
                    distinct[i].count += 1
                    return Int32(i)
                }
            }
            let id: Int32
            let held = DistinctValue(value: value, fingerprint: fingerprint, count: 1)
            if let reused = freeIDs.popLast() {
                id = reused
                distinct[Int(id)] = held
            } else {
                id = Int32(distinct.count)
                distinct.append(held)
                if !indexed && distinct.count > Self.smallDistinct {
                    indexed = true
                    for (i, other) in distinct.enumerated() where other.count > 0 { distinctIDs[other.value] = Int32(i) }
                }
            }
            if indexed { distinctIDs[value] = id }
            distinctLive += 1
            return id
        }

        /// Counts one fewer live entry holding the value of `id`, forgetting the value when none is left.
        private func dropValue(_ id: Int32) {
            let i = Int(id)
            distinct[i].count -= 1
            guard distinct[i].count == 0 else { return }
            if indexed { distinctIDs.removeValue(forKey: distinct[i].value) }
            distinct[i].value = InlineText.empty
            freeIDs.append(id)
            distinctLive -= 1
        }

        /// Empties the window for the next group of its slot, keeping its storage's capacity unless `release`
        /// (slots are reused as groups expire, so that a correlation seeing new groups all the time does not
        /// allocate each; freed slots beyond a few thousand give their storage back).
        func reuse(release: Bool = false) {
            cachedKey = nil
            if !entries.isEmpty || release { entries.removeAll(keepingCapacity: !release) }
            head = 0
            quiet = false
            lastUpdate = .zero
            if indexed || release { distinctIDs.removeAll(keepingCapacity: !release) }
            indexed = false
            if !distinct.isEmpty || release { distinct.removeAll(keepingCapacity: !release) }
            if !freeIDs.isEmpty || release { freeIDs.removeAll(keepingCapacity: !release) }
            distinctLive = 0
            numbers = 0
            integers = 0
            integerSum = 0
            magnitudeSum = 0
            overflowed = false
            for i in ruleCounts.indices { ruleCounts[i] = 0 }
            rulesPresent = 0
        }

        /// Whether no entry can count in a window of a match at `time` or later.
        func expired(at time: Timestamp, timespan: Int64) -> Bool {
            guard let last = entries.last, head < entries.count else { return true }
            return time.nanoseconds &- last.timestamp.nanoseconds > timespan
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
            case .valueCount: return Double(distinctLive)
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
                // `append` counted the value in when it made the id.
                if !adding && entry.valueID >= 0 { dropValue(entry.valueID) }
            case .valueSum, .valueAverage:
                guard entry.hasNumber else { return }
                let number = entry.number
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
                let rule = Int(entry.rule)
                guard rule >= 0 && rule < ruleCounts.count else { return }
                if adding {
                    if ruleCounts[rule] == 0 { rulesPresent += 1 }
                    ruleCounts[rule] += 1
                } else {
                    ruleCounts[rule] -= 1
                    if ruleCounts[rule] == 0 { rulesPresent -= 1 }
                }
            case .eventCount, .valuePercentile, .temporalOrdered:
                return
            }
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
        /// The value field's entry index.
        let valueEntry: Int?
        /// Referenced only by correlations with `generate: false`: feeds them, does not alert.
        let silenced: Bool
        /// This correlation's index in the source table when another correlation references it, else -1.
        let selfSource: Int32
        /// The groups: keys and values in the store, windows by slot.
        var store: CorrelationGroupStore
        var windows: [Group] = []
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
            valueEntry = rule.valueField.flatMap { entryIndex[$0] }
            self.silenced = silenced
            self.selfSource = selfSource
            self.sweepAt = sweepAt
            store = CorrelationGroupStore(parts: rule.groupBy.count)
        }

        /// The window of the group in `slot`, unretained: `windows` owns it, and a retain and release per match
        /// cost more than the window's own work for most matches.
        @inline(__always)
        func window(_ slot: Int32) -> Group {
            windows.withUnsafeBufferPointer { $0[Int(slot)] }
        }

        /// The group's name in alerts (`source.ip=10.0.0.1,destination.port=22`; a missing value as empty).
        func groupName(_ slot: Int32) -> String {
            let group = window(slot)
            if let cached = group.cachedKey { return cached }
            var name = ""
            for (i, field) in groupByNames.enumerated() {
                if i > 0 { name += "," }
                name += "\(field)="
                if let part = store.part(i, of: slot) { name += String(decoding: part, as: UTF8.self) }
            }
            group.cachedKey = name
            return name
        }

        /// Drops the groups none of whose entries can count in a window of a match at `time` or later, keeping
        /// some for reuse. Dropping one changes nothing an alert shows: a group made afresh for its values starts
        /// as an expired one continues (empty window, not quiet, no values).
        func sweep(at time: Timestamp, minimum: Int) {
            var freed = 0
            for slot in store.liveSlots {
                let group = window(slot)
                guard group.expired(at: time, timespan: timespan) else { continue }
                store.remove(slot)
                // The first few thousand freed windows keep their storage for the next groups.
                freed += 1
                if freed > 4096 { group.reuse(release: true) }
            }
            sweepAt = max(minimum, store.count * 2)
            if !upward { recomputeEarliestFirst() }
        }

        /// The group updated longest ago (the first found among equals), or nil when there is none.
        func leastRecentlyUpdated() -> Int32? {
            var oldest: Int32?
            var oldestTime = Timestamp(nanoseconds: Int64.max)
            for slot in store.liveSlots where oldest == nil || window(slot).lastUpdate < oldestTime {
                oldest = slot
                oldestTime = window(slot).lastUpdate
            }
            return oldest
        }

        /// Recomputes `earliestFirst` from the groups.
        func recomputeEarliestFirst() {
            var earliest = Int64.max
            for slot in store.liveSlots {
                let group = window(slot)
                if !group.isEmpty { earliest = min(earliest, group.entries[group.head].timestamp.nanoseconds) }
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
    /// The values of the match being processed (reused). Only the entries its source's correlations read are
    /// loaded; the others keep an earlier match's values, which nothing reads.
    private let current: CorrelationMatchValues
    /// Where a match's group key is joined (reused; grown as needed).
    private var keyScratch: UnsafeMutablePointer<UInt8>
    private var keyCapacity = 256
    /// Per source, the entries its correlations read (their group-by entries and value field).
    private var readEntries: [[Int]] = []
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
        readEntries = targets.map { feeds in
            var read = Set<Int>()
            for target in feeds {
                read.formUnion(states[target.state].groupBy)
                if let value = states[target.state].valueEntry { read.insert(value) }
            }
            return read.sorted()
        }
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
        while let key = pending.first(atMost: watermark.nanoseconds) {
            pending.removeFirst()
            let time = Timestamp(nanoseconds: key.time)
            let reading = pending.source(key.slot)
            let source = pending.take(key.slot, entries: reading >= 0 ? readEntries[Int(reading)] : [], into: current)
            if hasClosingWindows { closeWindows(at: time, into: &alerts) }
            released = time
            if source >= 0 { process(source: Int(source), time: time, values: current, into: &alerts) }
        }
        if watermark.nanoseconds != Int64.max && watermark > released {
            closeWindows(at: watermark, into: &alerts)
        }
        return alerts
    }

    /// Adds a match of `source` at `time` (its field values by entry index, its Community ID as entry `width`) to
    /// the windows of the correlations it feeds; returns the alerts of those whose condition it satisfies.
    private func process(source: Int, time: Timestamp, values: CorrelationMatchValues, into alerts: inout [AlertRecord]) {
        let communityID = values.value(values.width).map { ShortText(bytes: $0) } ?? .absent
        for t in Int(targetStart[source])..<Int(targetStart[source + 1]) {
            let target = targetList[t]
            // Unretained: `states` owns every state for the engine's life (a retain and a release per match and
            // correlation, like those of the target list, the store and the group-by list, cost more than most
            // matches' window work).
            stateRefs[target.state]._withUnsafeGuaranteedRef { state in
                process(state, position: target.position, time: time, values: values, communityID: communityID,
                        into: &alerts)
            }
        }
    }

    /// Adds a match to the window of its group in one correlation (`position`: its rule's place in the
    /// correlation's `rules`).
    @inline(__always)
    private func process(_ state: State, position: Int, time: Timestamp, values: CorrelationMatchValues,
                         communityID: ShortText, into alerts: inout [AlertRecord]) {
        let slot = Unmanaged.passUnretained(state.store)._withUnsafeGuaranteedRef { store -> Int32 in
            let key = groupKey(state, values)
            let hash = store.hash(key)
            var slot = store.find(key, hash: hash)
            guard slot < 0 else { return slot }
            if state.sweepable && store.count >= state.sweepAt { state.sweep(at: time, minimum: sweepMinimum) }
            if store.count >= maximumGroups, let oldest = state.leastRecentlyUpdated() {
                store.remove(oldest)
                state.window(oldest).reuse(release: true)
                evictedGroups += 1
            }
            slot = store.insert(key, hash: hash) { values.length(state.groupBy[$0]) }
            if Int(slot) == state.windows.count {
                state.windows.append(Group(type: state.type, ruleCount: state.ruleCount))
            } else {
                state.window(slot).reuse()
            }
            return slot
        }
        let group = state.window(slot)
        // Slide: drop what is more than `timespan` before this event.
        var expired = 0
        while group.head + expired < group.entries.count,
              time.nanoseconds &- group.entries[group.head + expired].timestamp.nanoseconds > state.timespan {
            expired += 1
        }
        group.advance(by: expired)
        if group.isEmpty {
            group.quiet = false
            state.earliestFirst = min(state.earliestFirst, time.nanoseconds)
        }
        group.compact()
        let value = state.valueEntry.flatMap { values.value($0) }
        group.append(time: time, rule: position, value: value,
                     number: state.numeric ? value.flatMap(Self.number(bytes:)) : nil, communityID: communityID)
        group.lastUpdate = time
        guard state.upward, !group.quiet else { return }
        let holds: Bool
        let count: Int64
        if let metric = group.liveMetric() {
            holds = state.comparisons.allSatisfy { $0.holds(metric) }
            count = Int64(group.entries.count - group.head)
        } else {
            (holds, count) = evaluate(state, group.live)
        }
        if holds {
            group.quiet = true
            let chained = CorrelationMatchValues(width: entryNames.count)
            for entry in state.groupBy { chained.set(entry, values.value(entry)) }
            chained.set(chained.width, values.value(values.width))
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
            for (slot, _) in named.sorted(by: { $0.name < $1.name }) {
                let group = state.window(slot)
                while group.head < group.entries.count {
                    let first = group.entries[group.head].timestamp
                    guard time.nanoseconds == Int64.max || time.nanoseconds &- first.nanoseconds > state.timespan else { break }
                    let end = first.nanoseconds &+ state.timespan
                    let window = group.live.prefix { $0.timestamp.nanoseconds <= end }
                    let (holds, count) = evaluate(state, window)
                    if holds {
                        let made = alert(state, slot: slot, count: count, end: window.last?.timestamp ?? first, window: window)
                        let chained = CorrelationMatchValues(width: entryNames.count)
                        for (i, entry) in state.groupBy.enumerated() {
                            guard let part = state.store.part(i, of: slot) else { continue }
                            part.withUnsafeBufferPointer { chained.set(entry, $0) }
                        }
                        fire(made, state: state, values: chained, into: &alerts)
                    }
                    // Decided windows do not overlap: the next one starts at the first event after this one.
                    group.advance(by: window.count)
                }
                group.compact()
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
    private func evaluate(_ state: State, _ window: ArraySlice<Entry>) -> (Bool, Int64) {
        let metric: Double
        switch state.type {
        case .eventCount:
            metric = Double(window.count)
        case .valueCount:
            // Live entries share an id exactly when they share a value.
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
        let groupBy = state.groupBy
        if groupBy.count == 1 { return values.value(groupBy[0]) ?? UnsafeBufferPointer(start: nil, count: 0) }
        var total = max(groupBy.count - 1, 0)
        for entry in groupBy { total += max(Int(values.length(entry)), 0) }
        if total > keyCapacity {
            keyScratch.deallocate()
            keyCapacity = max(total, keyCapacity * 2)
            keyScratch = .allocate(capacity: keyCapacity)
        }
        var at = 0
        for (position, entry) in groupBy.enumerated() {
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
                       window: ArraySlice<Entry>? = nil) -> AlertRecord {
        let rule = state.rule
        let group = state.window(slot)
        let name = state.groupName(slot)
        let entries = window ?? group.live
        let start = entries.first?.timestamp ?? end
        let id = AlertID.make(parts: [Array("correlation".utf8), Array(rule.key.utf8), Array(name.utf8),
                                      Array(String(start.nanoseconds).utf8), Array(String(end.nanoseconds).utf8)])
        var alert = AlertRecord(timestamp: end, id: id, kind: .correlation, ruleID: rule.key, ruleName: rule.title,
                                count: count, windowStart: start, windowEnd: end)
        alert.correlationType = rule.type.rawValue
        alert.ruleDescription = rule.description
        alert.ruleset = rule.file
        alert.level = rule.level
        alert.tags = rule.tags
        alert.group = name
        var seen = Set<ShortText>()
        for entry in entries {
            guard !entry.communityID.isAbsent, seen.count < 100, seen.insert(entry.communityID).inserted,
                  let id = entry.communityID.string else { continue }
            alert.communityIDs.append(id)
        }
        return alert
    }
}

import HydrantRecords

/// Evaluates a compiled `RuleSet` on batches of JSON-lines records and returns the alerts of detection rules.
///
/// One engine serves one task at a time: it keeps per-record scratch storage so that evaluation allocates
/// nothing per record. Make one engine per concurrent evaluator; the compiled rules inside are shared.
public final class DetectionEngine {
    /// The rules this engine evaluates.
    public let rules: RuleSet
    let program: CompiledProgram
    private let values = RecordValues()
    private var scratch: [UInt8] = []
    private let memberNames = MemberNameCache()
    private let structuralIndex = StructuralIndex()
    private let recordLayouts = RecordLayouts()
    private var stamp: UInt32 = 0
    private var atomStamp: [UInt32]
    private var lazyStamp: [UInt32]
    private var lazyResult: [Bool]
    private var ruleStamp: [UInt32]
    private var candidates: [Int32] = []
    /// Per atom, the rules it makes candidates (`CandidateCover`): the program's lists (every positive atom) until
    /// `coverAfter` records have been seen, then each rule's cheapest cover by how often its atoms fired.
    private var atomRuleStart: [Int32]
    private var atomRuleList: [Int32]
    /// How often each atom fired, counted until the covers are chosen.
    private var atomFires: [UInt32]
    private var countingFires: Bool
    private let coverAfter: Int
    /// Per value entry of the current record: its address, parsed once however many CIDR tests read it (valid
    /// when `addressStamp` holds the record's stamp).
    private var addressStamp: [UInt32] = []
    private var addressCache: [IPAddress?] = []
    private let regexScratch = RegexScratch()
    private let datasetNames: [(Dataset, [UInt8])]

    /// Records that were not one well-formed JSON object, since the engine was made.
    public private(set) var malformedRecords = 0
    /// Records evaluated, since the engine was made.
    public private(set) var evaluatedRecords = 0
    /// Rule conditions evaluated (the candidate rules of every record), since the engine was made: what the
    /// indexes and prefilters left to evaluate.
    public private(set) var evaluatedConditions = 0

    /// Per dataset, the titles of the rules evaluated on every record of it (no indexed test or prefilter can
    /// rule them out, e.g. `not`-only or CIDR-only conditions); datasets without such rules are left out.
    public var rulesEvaluatedOnEveryRecord: [(dataset: Dataset, titles: [String])] {
        Dataset.allCases.enumerated().compactMap { index, dataset -> (dataset: Dataset, titles: [String])? in
            let compiled = program.alwaysByDataset[index]
            if compiled.isEmpty { return nil }
            return (dataset, compiled.map { rules.detections[program.rules[Int($0)].ruleIndex].title })
        }
    }

    private let correlations: CorrelationEngine?
    /// Per detection rule: whether it alerts on its own.
    private let generatesAlerts: [Bool]
    /// Per detection rule referenced by correlations: its source index in the correlation engine and, per
    /// correlation entry it provides, the field slots the value is read from (first present wins).
    private let feeds: [Feed?]

    private struct Feed {
        let source: Int32
        let entries: [(entry: Int, slots: [Int])]
    }

    /// Compiles `rules`; correlations use `allowedLateness` (nanoseconds of event time) and keep at most
    /// `maximumGroups` groups each.
    public convenience init(rules: RuleSet, allowedLateness: Int64 = 30_000_000_000, maximumGroups: Int = 1_000_000) {
        self.init(rules: rules, allowedLateness: allowedLateness, maximumGroups: maximumGroups, prefilters: true)
    }

    /// Compiles `rules`; without `prefilters`, globs and regexes run on every candidate record whether or not
    /// their required literal occurs (the reference the prefilter tests compare with). Candidate covers are
    /// chosen after `coverAfter` records (nil: never, every positive atom makes its rules candidates).
    init(rules: RuleSet, allowedLateness: Int64, maximumGroups: Int, prefilters: Bool, coverAfter: Int? = 16_384) {
        self.rules = rules
        let program = CompiledProgram(rules, prefilters: prefilters)
        let correlations = rules.correlations.isEmpty ? nil
            : CorrelationEngine(rules: rules, allowedLateness: allowedLateness, maximumGroups: maximumGroups)
        self.program = program
        self.correlations = correlations
        atomStamp = Array(repeating: 0, count: program.atoms.count)
        lazyStamp = Array(repeating: 0, count: program.atoms.count)
        lazyResult = Array(repeating: false, count: program.atoms.count)
        ruleStamp = Array(repeating: 0, count: program.rules.count)
        atomRuleStart = program.atomRuleStart
        atomRuleList = program.atomRuleList
        atomFires = Array(repeating: 0, count: program.atoms.count)
        countingFires = coverAfter != nil
        self.coverAfter = coverAfter ?? Int.max
        datasetNames = Dataset.allCases.map { ($0, Array($0.rawValue.utf8)) }
        generatesAlerts = rules.detections.map(\.generatesAlerts)
        feeds = rules.detections.indices.map { index -> Feed? in
            guard let correlations, let fields = program.correlationFields[index] else { return nil }
            let entries = fields.entries.compactMap { field in correlations.entry(named: field.name).map { (entry: $0, slots: field.slots) } }
            return Feed(source: correlations.source(of: rules.detections[index].key) ?? -1, entries: entries)
        }
        values.foldOnly(program.foldSlots)
    }

    /// A rule that matched one record.
    public struct Match: Sendable, Hashable {
        /// Index into `rules.detections`.
        public let ruleIndex: Int
        /// Index of the record in the batch.
        public let recordIndex: Int
    }

    /// Evaluates the records of a batch (`bytes` holds them back to back; `ends` are their end offsets, each
    /// record may end with a newline) and returns the matches in record order, rules in load order within a record.
    public func matches(in bytes: UnsafeBufferPointer<UInt8>, ends: [Int]) -> [Match] {
        var out: [Match] = []
        evaluate(bytes, ends: ends) { ruleIndex, recordIndex, _ in out.append(Match(ruleIndex: ruleIndex, recordIndex: recordIndex)) }
        return out
    }

    /// Evaluates a batch and returns the alerts of the rules that alert on their own (`generatesAlerts`), then
    /// those of the correlations whose windows the batch decided.
    public func evaluate(_ bytes: UnsafeBufferPointer<UInt8>, ends: [Int]) -> [AlertRecord] {
        var alerts: [AlertRecord] = []
        var offered = false
        // Event time and Community ID are read once per record, however many of its matches feed correlations.
        var cachedRecord = -1
        var time = Timestamp.zero
        var communityID: InlineText?
        evaluate(bytes, ends: ends) { ruleIndex, recordIndex, record in
            if generatesAlerts[ruleIndex] { alerts.append(makeAlert(rule: rules.detections[ruleIndex], record: record)) }
            guard let correlations, let feed = feeds[ruleIndex] else { return }
            offered = true
            if cachedRecord != recordIndex {
                cachedRecord = recordIndex
                time = recordTimestamp()
                communityID = inlineText(7)
            }
            guard let slot = correlations.enqueue(source: feed.source, timestamp: time, communityID: communityID) else { return }
            for (entry, fieldSlots) in feed.entries {
                for field in fieldSlots {
                    if let value = inlineText(field) { correlations.setValue(value, slot: slot, entry: entry); break }
                }
            }
        }
        if let correlations, offered { alerts += correlations.releaseReady() }
        return alerts
    }

    /// Ends the input: releases buffered correlation matches and decides every open window.
    public func finish() -> [AlertRecord] {
        correlations?.finish() ?? []
    }

    /// Continues the correlation state of `previous` (the engine this one replaces on a reload) for every
    /// correlation whose compiled definition, and that of every rule it references, did not change; the others
    /// start empty. Call it before the first batch. Returns the keys of the correlations whose state was kept.
    @discardableResult
    public func adoptCorrelationState(from previous: DetectionEngine) -> [String] {
        guard let correlations, let old = previous.correlations else { return [] }
        let unchanged = RuleDefinitions.unchangedKeys(previous: previous.rules, current: rules)
        return correlations.adoptState(from: old, unchanged: unchanged)
    }

    /// The correlation state (late matches, evicted groups), when the rule set has correlations.
    public var correlationEngine: CorrelationEngine? { correlations }

    /// Evaluates records held in an array (see `evaluate(_:ends:)`).
    public func evaluate(_ bytes: [UInt8], ends: [Int]) -> [AlertRecord] {
        bytes.withUnsafeBufferPointer { evaluate($0, ends: ends) }
    }

    /// Evaluates JSON lines given as one text (one record per line; blank lines skipped).
    public func evaluate(jsonLines text: String) -> [AlertRecord] {
        let bytes = Array(text.utf8)
        var ends: [Int] = []
        for (i, b) in bytes.enumerated() where b == 0x0A { ends.append(i + 1) }
        if bytes.last != 0x0A && !bytes.isEmpty { ends.append(bytes.count) }
        return evaluate(bytes, ends: ends)
    }

    /// Evaluates one in-memory event (encoded to JSON first, so that it takes exactly the batch path).
    public func evaluate(event: [String: EventValue]) -> [AlertRecord] {
        var bytes: [UInt8] = []
        EventValue.object(event).appendJSON(to: &bytes)
        return evaluate(bytes, ends: [bytes.count])
    }

    /// The titles of the rules that match one in-memory event, alerting or not.
    public func matchingTitles(event: [String: EventValue]) -> [String] {
        var bytes: [UInt8] = []
        EventValue.object(event).appendJSON(to: &bytes)
        return bytes.withUnsafeBufferPointer { buffer in
            matches(in: buffer, ends: [bytes.count]).map { rules.detections[$0.ruleIndex].title }
        }
    }

    // MARK: - Evaluation

    private func evaluate(_ bytes: UnsafeBufferPointer<UInt8>, ends: [Int],
                          _ onMatch: (Int, Int, UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        for (recordIndex, end) in ends.enumerated() {
            guard end >= start, end <= bytes.count else { break }
            var stop = end
            while stop > start, JSONScanner.isWhitespace(bytes[stop - 1]) { stop -= 1 }
            let record = UnsafeBufferPointer(rebasing: bytes[start..<stop])
            start = end
            if record.isEmpty { continue }
            evaluateRecord(record) { onMatch($0, recordIndex, record) }
        }
    }

    private func evaluateRecord(_ record: UnsafeBufferPointer<UInt8>, _ onMatch: (Int) -> Void) {
        values.reset(slots: program.fieldNames.count)
        guard RecordScanner.scan(record, trie: program.trie, into: values, scratch: &scratch, names: memberNames,
                                 index: structuralIndex, layouts: recordLayouts) else {
            malformedRecords += 1
            return
        }
        evaluatedRecords += 1
        if countingFires && evaluatedRecords > coverAfter { chooseCovers() }
        guard let datasetIndex = datasetOfRecord() else { return }
        let datasetBit = UInt16(1) << UInt16(datasetIndex)
        stamp &+= 1
        if stamp == 0 {
            // Wrapped after 4 billion records: clear the stamps so that none looks current.
            for i in atomStamp.indices { atomStamp[i] = 0; lazyStamp[i] = 0 }
            for i in ruleStamp.indices { ruleStamp[i] = 0 }
            for i in addressStamp.indices { addressStamp[i] = 0 }
            stamp = 1
        }
        candidates.removeAll(keepingCapacity: true)
        for slot in values.filled {
            guard let index = program.slotIndexes[Int(slot)] else { continue }
            markIndexed(slot: Int(slot), index: index, datasetBit: datasetBit)
        }
        for rule in program.alwaysByDataset[datasetIndex] where ruleStamp[Int(rule)] != stamp {
            ruleStamp[Int(rule)] = stamp
            candidates.append(rule)
        }
        // Load order within a record keeps alert output deterministic.
        candidates.sort()
        evaluatedConditions &+= candidates.count
        for compiled in candidates {
            let rule = program.rules[Int(compiled)]
            if evaluate(node: rule.root) { onMatch(rule.ruleIndex) }
        }
    }

    private func datasetOfRecord() -> Int? {
        let entry = values.heads[1]
        guard entry >= 0 else { return nil }
        let text = values.raw(values.entries[Int(entry)])
        for (index, (_, name)) in datasetNames.enumerated() where name.count == text.count {
            if name.withUnsafeBufferPointer({ $0.elementsEqual(text) }) { return index }
        }
        return nil
    }

    /// Lists each rule under the atoms of its cheapest cover, by how often the atoms fired so far.
    private func chooseCovers() {
        countingFires = false
        let records = Double(max(evaluatedRecords, 1))
        // A small constant per atom prefers, between atoms that never fired, the cover with fewer of them.
        let lists = program.candidateLists { Double(self.atomFires[Int($0)]) / records + 1e-6 }
        atomRuleStart = lists.start
        atomRuleList = lists.list
    }

    @inline(__always)
    private func mark(_ atom: Int32, datasetBit: UInt16) {
        let a = Int(atom)
        guard atomStamp[a] != stamp else { return }
        atomStamp[a] = stamp
        if countingFires { atomFires[a] &+= 1 }
        for i in Int(atomRuleStart[a])..<Int(atomRuleStart[a + 1]) {
            let rule = atomRuleList[i]
            guard ruleStamp[Int(rule)] != stamp else { continue }
            guard program.rules[Int(rule)].datasets & datasetBit != 0 else { continue }
            ruleStamp[Int(rule)] = stamp
            candidates.append(rule)
        }
    }

    private func markIndexed(slot: Int, index: CompiledProgram.SlotIndex, datasetBit: UInt16) {
        for a in index.always { mark(a, datasetBit: datasetBit) }
        var entry = values.heads[slot]
        let base = UnsafePointer(values.arena)
        while entry >= 0 {
            let value = values.entries[Int(entry)]
            entry = value.next
            let count = Int(value.length)
            let raw = base + Int(value.start)
            let lower = base + Int(value.lowerStart)
            index.exact.lookup(lower, count) { mark($0, datasetBit: datasetBit) }
            index.exactCased.lookup(raw, count) { mark($0, datasetBit: datasetBit) }
            index.prefix.walk(lower, count) { mark($0, datasetBit: datasetBit) }
            index.prefixCased.walk(raw, count) { mark($0, datasetBit: datasetBit) }
            index.suffix.walk(lower, count) { mark($0, datasetBit: datasetBit) }
            index.suffixCased.walk(raw, count) { mark($0, datasetBit: datasetBit) }
            if !index.contains.isEmpty { index.contains.scan(lower, count) { mark($0, datasetBit: datasetBit) } }
            if !index.containsCased.isEmpty { index.containsCased.scan(raw, count) { mark($0, datasetBit: datasetBit) } }
        }
    }

    private func evaluate(node: Int32) -> Bool {
        switch program.nodes[Int(node)] {
        case .atom(let atom):
            let a = Int(atom)
            guard program.atomIsLazy[a], let lazy = program.atoms[a].lazy else { return atomStamp[a] == stamp }
            if lazyStamp[a] == stamp { return lazyResult[a] }
            let prefilter = program.atomPrefilter[a]
            if prefilter >= 0 && atomStamp[Int(prefilter)] != stamp { return false }
            let result = evaluate(lazy, slot: program.atoms[a].slot)
            lazyStamp[a] = stamp
            lazyResult[a] = result
            return result
        case .constant(let value): return value
        case .not(let inner): return !evaluate(node: inner)
        case .and(let range):
            for i in range where !evaluate(node: program.children[Int(i)]) { return false }
            return true
        case .or(let range):
            for i in range where evaluate(node: program.children[Int(i)]) { return true }
            return false
        }
    }

    private func evaluate(_ test: CompiledProgram.LazyTest, slot: Int) -> Bool {
        switch test {
        case .exists(let present): return values.isPresent(slot) == present
        case .null: return !values.isPresent(slot)
        default: break
        }
        if case .cidr(let network) = test { return cidrMatches(network, slot: slot) }
        var entry = values.heads[slot]
        let arena = values.bytes
        while entry >= 0 {
            let value = values.entries[Int(entry)]
            entry = value.next
            let raw = values.raw(value)
            let lower = values.lower(value)
            switch test {
            case .glob(let pieces, let cased):
                if GlobMatcher.matches(pieces, cased ? raw : lower) { return true }
            case .regex(let regex):
                if regex.matches(raw, scratch: regexScratch) { return true }
            case .cidr(let network):
                if let address = IPAddress(utf8: raw), network.contains(address) { return true }
            case .numeric(let op, let bound):
                if let number = Self.number(raw), op.holds(number, bound) { return true }
            case .fieldReference(let other, let mode, let cased):
                if referenceMatches(cased ? raw : lower, otherSlot: other, mode: mode, cased: cased, arena: arena) { return true }
            case .exists, .null:
                return false
            }
        }
        return false
    }

    private func cidrMatches(_ network: IPNetwork, slot: Int) -> Bool {
        var entry = values.heads[slot]
        while entry >= 0 {
            let e = Int(entry)
            let value = values.entries[e]
            entry = value.next
            if e >= addressStamp.count {
                let grown = max(values.entryCount, addressStamp.count * 2, 16)
                addressStamp += repeatElement(0, count: grown - addressStamp.count)
                addressCache += repeatElement(nil, count: grown - addressCache.count)
            }
            let address: IPAddress?
            if addressStamp[e] == stamp { address = addressCache[e] } else {
                address = IPAddress(utf8: values.raw(value))
                addressStamp[e] = stamp
                addressCache[e] = address
            }
            if let address, network.contains(address) { return true }
        }
        return false
    }

    private func referenceMatches(_ value: UnsafeBufferPointer<UInt8>, otherSlot: Int, mode: ReferenceMode, cased: Bool,
                                  arena: UnsafeBufferPointer<UInt8>) -> Bool {
        var entry = values.heads[otherSlot]
        while entry >= 0 {
            let other = values.entries[Int(entry)]
            entry = other.next
            let start = Int(cased ? other.start : other.lowerStart)
            let needle = UnsafeBufferPointer(rebasing: arena[start..<(start + Int(other.length))])
            let n = needle.count, h = value.count
            switch mode {
            case .equal: if n == h && needle.elementsEqual(value) { return true }
            case .prefix: if n <= h && value.prefix(n).elementsEqual(needle) { return true }
            case .suffix: if n <= h && value.suffix(n).elementsEqual(needle) { return true }
            case .contains:
                if n == 0 { return true }
                if n <= h {
                    for offset in 0...(h - n) where value[offset] == needle[0] {
                        if UnsafeBufferPointer(rebasing: value[offset..<(offset + n)]).elementsEqual(needle) { return true }
                    }
                }
            }
        }
        return false
    }

    /// A decimal number from text, without allocating for plain integers.
    static func number(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        var negative = false
        var i = 0
        if bytes[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        var value: Int64 = 0
        var integral = i < bytes.count
        while i < bytes.count {
            let d = bytes[i] &- UInt8(ascii: "0")
            guard d < 10 else { integral = false; break }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { integral = false; break }
            value = s
            i += 1
        }
        if integral { return Double(negative ? -value : value) }
        return Double(String(decoding: bytes, as: UTF8.self)).flatMap { $0.isFinite ? $0 : nil }
    }

    // MARK: - Alerts

    private func text(_ slot: Int) -> String? {
        let entry = values.heads[slot]
        guard entry >= 0 else { return nil }
        let value = values.entries[Int(entry)]
        return String(decoding: values.raw(value), as: UTF8.self)
    }

    /// The first value of a slot, as correlations keep it (no `String` made).
    private func inlineText(_ slot: Int) -> InlineText? {
        let entry = values.heads[slot]
        guard entry >= 0 else { return nil }
        let value = values.entries[Int(entry)]
        return InlineText(values.raw(value))
    }

    private func recordTimestamp() -> Timestamp {
        let entry = values.heads[0]
        guard entry >= 0 else { return .zero }
        let value = values.entries[Int(entry)]
        return Timestamp(parsingRFC3339: values.raw(value)) ?? .zero
    }

    private func makeAlert(rule: DetectionRule, record: UnsafeBufferPointer<UInt8>) -> AlertRecord {
        let timestamp = recordTimestamp()
        let id = AlertID.make(parts: [Array("detection".utf8), Array(rule.key.utf8)], record: record)
        var alert = AlertRecord(timestamp: timestamp, id: id, kind: .detection, ruleID: rule.key, ruleName: rule.title,
                                count: 1, windowStart: timestamp, windowEnd: timestamp)
        alert.ruleDescription = rule.description
        alert.ruleset = rule.file
        alert.level = rule.level
        alert.tags = rule.tags
        alert.sourceDataset = text(1)
        alert.sourceIP = text(2).flatMap(IPAddress.init)
        alert.sourcePort = text(3).flatMap { Int64($0) }
        alert.destinationIP = text(4).flatMap(IPAddress.init)
        alert.destinationPort = text(5).flatMap { Int64($0) }
        alert.transport = text(6)
        if let communityID = text(7) { alert.communityIDs = [communityID] }
        return alert
    }
}

import CByteSearch
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
    /// Per atom and per rule, the stamp of the record that last set them: a value equal to `stamp` means "this
    /// record" without clearing anything between records.
    private let atomStamp: FixedArray<UInt32>
    private let lazyStamp: FixedArray<UInt32>
    private let lazyResult: FixedArray<Bool>
    private let ruleStamp: FixedArray<UInt32>
    /// The current record's candidate rules, the first `candidateCount` (each at most once, by `ruleStamp`, so
    /// the program's rule count bounds them): an `Array` cost a generic `removeAll` per record.
    private let candidates: FixedArray<Int32>
    private var candidateCount = 0
    /// Per atom, the rules it makes candidates (`CandidateCover`): the program's lists (every positive atom) until
    /// `coverAfter` records have been seen, then each rule's cheapest cover by how often its atoms fired.
    private var atomRuleStart: FixedArray<Int32>
    private var atomRuleList: FixedArray<Int32>
    /// How often each atom fired, counted until the covers are chosen.
    private let atomFires: FixedArray<UInt32>
    /// The program's conditions and per-atom facts, as the evaluator reads them per record.
    private let nodes: FixedArray<CompiledProgram.Node>
    /// Per node, its atom when it is an indexed atom (true exactly when the atom fired); `-2 - atom` when it is
    /// a lazy atom; else -1. `and`/`or`/`not` nodes test atom children in line instead of a call per child
    /// (rules list dozens of values, and a flow is tested against a list of private ranges).
    private let nodeAtom: FixedArray<Int32>
    private let children: FixedArray<Int32>
    /// `CountedNodes`: per node, its plain (indexed-atom) children's count when fired atoms are counted for it,
    /// else -1; its other children; per atom, the counted nodes it is a plain child of.
    private let countedPlain: FixedArray<Int32>
    private let countedOtherStart: FixedArray<Int32>
    private let countedOtherList: FixedArray<Int32>
    private let atomParentStart: FixedArray<Int32>
    private let atomParentList: FixedArray<Int32>
    /// Per counted node, how many of its plain children fired on the record whose stamp `nodeStamp` holds.
    private let nodeStamp: FixedArray<UInt32>
    private let nodeHits: FixedArray<Int32>
    private let atomPrefilter: FixedArray<Int32>
    /// Per atom, what its lazy test is (`CompiledProgram.LazyKind`), the slot it reads, and for a CIDR test its masks: the tests
    /// most records run are decided from these without copying the `LazyTest` (a retain and a release each).
    private let lazyKind: FixedArray<UInt8>
    private let atomSlot: FixedArray<Int32>
    private let cidrMasks: FixedArray<CIDRMask>
    private let ruleRoots: FixedArray<Int32>
    private let ruleDatasets: FixedArray<UInt16>
    /// Per field slot read by prefix, suffix or substring tests, the atoms its recent values fired (nil for the
    /// other slots, whose exact lookup is already one probe). Unretained: `memoObjects` owns them.
    private let memos: FixedArray<Unmanaged<IndexedValueMemo>?>
    private let memoObjects: [IndexedValueMemo]
    /// Per field slot, its literal indexes (nil: no indexed test reads it), unretained: `program` owns them for
    /// the engine's life, and a retain and release per filled slot of every record cost as much as many lookups.
    private let slotIndexes: FixedArray<Unmanaged<CompiledProgram.SlotIndex>?>
    private var countingFires: Bool
    private let coverAfter: Int
    /// Per value entry of the current record: its address, parsed once however many CIDR tests read it.
    private let addresses = EntryAddressCache()
    private let regexScratch = RegexScratch()
    private let timeCache = RecordTimeCache()
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
    /// Per detection rule, whether correlations reference it; per such rule, its source index in the correlation
    /// engine (-1: none) and its feed entries, `feedEntryStart[rule]..<feedEntryStart[rule + 1]`; per feed entry,
    /// the correlation entry it provides and the field slots its value is read from (first present wins),
    /// `feedSlots[feedSlotStart[e]..<feedSlotStart[e + 1]]`. Flat: an array of structs holding arrays cost a
    /// retain and a release per match and per entry.
    private let feeds: FixedArray<Bool>
    private let feedSource: FixedArray<Int32>
    private let feedEntryStart: FixedArray<Int32>
    private let feedEntry: FixedArray<Int32>
    private let feedSlotStart: FixedArray<Int32>
    private let feedSlots: FixedArray<Int32>

    /// Compiles `rules`; correlations use `allowedLateness` (nanoseconds of event time) and keep at most
    /// `maximumGroups` groups each.
    public convenience init(rules: RuleSet, allowedLateness: Int64 = 30_000_000_000, maximumGroups: Int = 1_000_000) {
        self.init(rules: rules, allowedLateness: allowedLateness, maximumGroups: maximumGroups, prefilters: true)
    }

    /// Compiles `rules`; without `prefilters`, globs and regexes run on every candidate record whether or not
    /// their required literal occurs (the reference the prefilter tests compare with). Candidate covers are
    /// chosen after `coverAfter` records (nil: never, every positive atom makes its rules candidates). Without
    /// `memo`, every value runs through its slot's indexes (the reference the memo tests compare with).
    /// Without `countedNodes`, every `and`/`or` tests each child in turn (the reference `CountedNodes` tests
    /// compare with). Without `flatten`, nested `and`s and `or`s are evaluated as nodes of their own (the reference
    /// `ConditionFlattening` tests compare with).
    init(rules: RuleSet, allowedLateness: Int64, maximumGroups: Int, prefilters: Bool, coverAfter: Int? = 16_384,
         memo: Bool = true, countedNodes: Bool = true, flatten: Bool = true) {
        self.rules = rules
        let program = CompiledProgram(rules, prefilters: prefilters, flatten: flatten)
        let correlations = rules.correlations.isEmpty ? nil
            : CorrelationEngine(rules: rules, allowedLateness: allowedLateness, maximumGroups: maximumGroups)
        self.program = program
        self.correlations = correlations
        atomStamp = FixedArray(repeating: 0, count: program.atoms.count)
        lazyStamp = FixedArray(repeating: 0, count: program.atoms.count)
        lazyResult = FixedArray(repeating: false, count: program.atoms.count)
        ruleStamp = FixedArray(repeating: 0, count: program.rules.count)
        candidates = FixedArray(repeating: 0, count: program.rules.count)
        atomRuleStart = FixedArray(program.atomRuleStart)
        atomRuleList = FixedArray(program.atomRuleList)
        atomFires = FixedArray(repeating: 0, count: program.atoms.count)
        nodes = FixedArray(program.nodes)
        let plainAtoms = program.nodes.map { node -> Int32 in
            if case .atom(let atom) = node, !program.atomIsLazy[Int(atom)] { return atom }
            return -1
        }
        nodeAtom = FixedArray(program.nodes.indices.map { n -> Int32 in
            guard case .atom(let atom) = program.nodes[n] else { return -1 }
            return program.atomIsLazy[Int(atom)] ? -2 - atom : atom
        })
        children = FixedArray(program.children)
        let counted = CountedNodes(nodes: program.nodes, children: program.children, plainAtom: plainAtoms,
                                   atomCount: program.atoms.count, enabled: countedNodes)
        countedPlain = FixedArray(counted.plainCount)
        countedOtherStart = FixedArray(counted.otherStart)
        countedOtherList = FixedArray(counted.otherList)
        atomParentStart = FixedArray(counted.parentStart)
        atomParentList = FixedArray(counted.parentList)
        nodeStamp = FixedArray(repeating: 0, count: program.nodes.count)
        nodeHits = FixedArray(repeating: 0, count: program.nodes.count)
        atomPrefilter = FixedArray(program.atomPrefilter)
        lazyKind = FixedArray(program.atoms.map { CompiledProgram.LazyKind.of($0.lazy).rawValue })
        atomSlot = FixedArray(program.atoms.map { Int32(truncatingIfNeeded: $0.slot) })
        cidrMasks = FixedArray(program.atoms.map { atom -> CIDRMask in
            if case .cidr(let network)? = atom.lazy { return CIDRMask(network) }
            return .never
        })
        ruleRoots = FixedArray(program.rules.map(\.root))
        ruleDatasets = FixedArray(program.rules.map(\.datasets))
        let memoBySlot = program.slotIndexes.map { index -> IndexedValueMemo? in
            guard memo, let index, index.scansValues else { return nil }
            return IndexedValueMemo()
        }
        memoObjects = memoBySlot.compactMap { $0 }
        memos = FixedArray(memoBySlot.map { $0.map(Unmanaged.passUnretained) })
        slotIndexes = FixedArray(program.slotIndexes.map { $0.map(Unmanaged.passUnretained) })
        countingFires = coverAfter != nil
        self.coverAfter = coverAfter ?? Int.max
        datasetNames = Dataset.allCases.map { ($0, Array($0.rawValue.utf8)) }
        generatesAlerts = rules.detections.map(\.generatesAlerts)
        var feeding: [Bool] = [], sources: [Int32] = [], entryStart: [Int32] = [0], entryIndexes: [Int32] = []
        var slotStart: [Int32] = [0], slotList: [Int32] = []
        for index in rules.detections.indices {
            defer { entryStart.append(Int32(entryIndexes.count)) }
            guard let correlations, let fields = program.correlationFields[index] else {
                feeding.append(false)
                sources.append(-1)
                continue
            }
            feeding.append(true)
            sources.append(correlations.source(of: rules.detections[index].key) ?? -1)
            for field in fields.entries {
                guard let entry = correlations.entry(named: field.name) else { continue }
                entryIndexes.append(Int32(entry))
                slotList += field.slots.map { Int32($0) }
                slotStart.append(Int32(slotList.count))
            }
        }
        feeds = FixedArray(feeding)
        feedSource = FixedArray(sources)
        feedEntryStart = FixedArray(entryStart)
        feedEntry = FixedArray(entryIndexes)
        feedSlotStart = FixedArray(slotStart)
        feedSlots = FixedArray(slotList)
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
        var communityID: UnsafeBufferPointer<UInt8>?
        evaluate(bytes, ends: ends) { ruleIndex, recordIndex, record in
            if generatesAlerts[ruleIndex] { alerts.append(makeAlert(rule: rules.detections[ruleIndex], record: record)) }
            guard let correlations, feeds[ruleIndex] else { return }
            offered = true
            if cachedRecord != recordIndex {
                cachedRecord = recordIndex
                time = recordTimestamp()
                communityID = rawValue(7)
            }
            guard let slot = correlations.enqueue(source: feedSource[ruleIndex], timestamp: time,
                                                  communityIDBytes: communityID) else { return }
            for e in Int(feedEntryStart[ruleIndex])..<Int(feedEntryStart[ruleIndex + 1]) {
                for i in Int(feedSlotStart[e])..<Int(feedSlotStart[e + 1]) {
                    let first = values.heads[Int(feedSlots[i])]
                    guard first >= 0 else { continue }
                    correlations.setValue(bytes: values.raw(values.entries[Int(first)]), slot: slot,
                                          entry: Int(feedEntry[e]))
                    break
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
            // The next record is read from a large batch that is mostly out of the caches by now: its lines are
            // loaded while this one is evaluated (a hint; its first kilobyte is enough for most records).
            if let base = bytes.baseAddress, recordIndex + 1 < ends.count {
                let next = min(ends[recordIndex + 1], bytes.count, end + 1024)
                var line = end
                while line < next {
                    hydrant_prefetch(base + line)
                    line += 64
                }
            }
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
            atomStamp.fill(0)
            lazyStamp.fill(0)
            ruleStamp.fill(0)
            nodeStamp.fill(0)
            addresses.clear()
            stamp = 1
        }
        candidateCount = 0
        for slot in values.filled {
            guard let index = slotIndexes[Int(slot)] else { continue }
            index._withUnsafeGuaranteedRef { index in
                if let memo = memos[Int(slot)] {
                    memo._withUnsafeGuaranteedRef { markIndexed(slot: Int(slot), index: index, memo: $0, datasetBit: datasetBit) }
                } else {
                    markIndexed(slot: Int(slot), index: index, memo: nil, datasetBit: datasetBit)
                }
            }
        }
        for rule in program.alwaysByDataset[datasetIndex] where ruleStamp[Int(rule)] != stamp {
            ruleStamp[Int(rule)] = stamp
            candidates[candidateCount] = rule
            candidateCount &+= 1
        }
        // Load order within a record keeps alert output deterministic. A record has a few candidates: sorted in
        // place by insertion (the library's sort cost about 90 instructions a call); many by the library.
        if candidateCount > 16 {
            var pending = UnsafeMutableBufferPointer(start: candidates.base, count: candidateCount)
            pending.sort()
        } else if candidateCount > 1 {
            let list = candidates.base
            for i in 1..<candidateCount {
                let rule = list[i]
                var j = i
                while j > 0 && list[j - 1] > rule {
                    list[j] = list[j - 1]
                    j -= 1
                }
                list[j] = rule
            }
        }
        evaluatedConditions &+= candidateCount
        for i in 0..<candidateCount {
            let compiled = candidates[i]
            if evaluate(node: ruleRoots[Int(compiled)]) { onMatch(program.rules[Int(compiled)].ruleIndex) }
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
        atomRuleStart = FixedArray(lists.start)
        atomRuleList = FixedArray(lists.list)
    }

    @inline(__always)
    private func mark(_ atom: Int32, datasetBit: UInt16) {
        let a = Int(atom)
        guard atomStamp[a] != stamp else { return }
        atomStamp[a] = stamp
        if countingFires { atomFires[a] &+= 1 }
        for i in Int(atomParentStart[a])..<Int(atomParentStart[a + 1]) {
            let node = Int(atomParentList[i])
            if nodeStamp[node] != stamp {
                nodeStamp[node] = stamp
                nodeHits[node] = 1
            } else {
                nodeHits[node] &+= 1
            }
        }
        for i in Int(atomRuleStart[a])..<Int(atomRuleStart[a + 1]) {
            let rule = atomRuleList[i]
            guard ruleStamp[Int(rule)] != stamp else { continue }
            guard ruleDatasets[Int(rule)] & datasetBit != 0 else { continue }
            ruleStamp[Int(rule)] = stamp
            candidates[candidateCount] = rule
            candidateCount &+= 1
        }
    }

    private func markIndexed(slot: Int, index: CompiledProgram.SlotIndex, memo: IndexedValueMemo?, datasetBit: UInt16) {
        for a in index.always { mark(a, datasetBit: datasetBit) }
        var entry = values.heads[slot]
        let base = UnsafePointer(values.arena)
        while entry >= 0 {
            let value = values.entries[Int(entry)]
            entry = value.next
            let count = Int(value.length)
            let raw = base + Int(value.start)
            // The lower-cased form is made from the raw bytes, so the raw bytes alone decide what fires.
            let lower = base + Int(value.lowerStart)
            guard let memo, memo.shouldLookUp(count) else {
                lookUp(index, raw: raw, lower: lower, count) { mark($0, datasetBit: datasetBit) }
                continue
            }
            let hash = IndexedValueMemo.hash(raw, count)
            if let fired = memo.atoms(for: raw, count, hash: hash) {
                for atom in fired { mark(atom, datasetBit: datasetBit) }
                continue
            }
            memo.beginRecording()
            lookUp(index, raw: raw, lower: lower, count) {
                memo.record($0)
                mark($0, datasetBit: datasetBit)
            }
            memo.remember(raw, count, hash: hash)
        }
    }

    /// Runs one value through every literal index of its slot, calling `fire` with each atom that holds.
    @inline(__always)
    private func lookUp(_ index: CompiledProgram.SlotIndex, raw: UnsafePointer<UInt8>, lower: UnsafePointer<UInt8>,
                        _ count: Int, _ fire: (Int32) -> Void) {
        index.exact.lookup(lower, count, fire)
        index.exactCased.lookup(raw, count, fire)
        index.prefix.walk(lower, count, fire)
        index.prefixCased.walk(raw, count, fire)
        index.suffix.walk(lower, count, fire)
        index.suffixCased.walk(raw, count, fire)
        if !index.contains.isEmpty { index.contains.scan(lower, count, fire) }
        if !index.containsCased.isEmpty { index.containsCased.scan(raw, count, fire) }
    }

    private func evaluate(node: Int32) -> Bool {
        switch nodes[Int(node)] {
        case .atom: return evaluateChild(node)
        case .constant(let value): return value
        case .not(let inner): return !evaluateChild(inner)
        case .and(let range):
            let plain = countedPlain[Int(node)]
            if plain >= 0 {
                guard nodeStamp[Int(node)] == stamp, nodeHits[Int(node)] == plain else { return false }
                return !someOtherChild(of: node, is: false)
            }
            for i in range where !evaluateChild(children[Int(i)]) { return false }
            return true
        case .or(let range):
            let plain = countedPlain[Int(node)]
            if plain >= 0 {
                if nodeStamp[Int(node)] == stamp && nodeHits[Int(node)] > 0 { return true }
                return someOtherChild(of: node, is: true)
            }
            for i in range where evaluateChild(children[Int(i)]) { return true }
            return false
        }
    }

    /// A node as a child of another: atoms in line (an indexed atom is true exactly when it fired; a lazy one is
    /// tested once per record), anything else through a call.
    @inline(__always)
    private func evaluateChild(_ node: Int32) -> Bool {
        let atom = nodeAtom[Int(node)]
        if atom >= 0 { return atomStamp[Int(atom)] == stamp }
        if atom == -1 { return evaluate(node: node) }
        let a = Int(-2 - atom)
        if lazyStamp[a] == stamp { return lazyResult[a] }
        let prefilter = atomPrefilter[a]
        if prefilter >= 0 && atomStamp[Int(prefilter)] != stamp { return false }
        let result = lazyHolds(a)
        lazyStamp[a] = stamp
        lazyResult[a] = result
        return result
    }

    /// Runs lazy atom `a`'s test on the record: CIDR and presence tests from the per-atom tables, the others
    /// through their `LazyTest`.
    private func lazyHolds(_ a: Int) -> Bool {
        let slot = Int(atomSlot[a])
        switch lazyKind[a] {
        case CompiledProgram.LazyKind.cidr.rawValue: return cidrMatches(cidrMasks[a], slot: slot)
        case CompiledProgram.LazyKind.present.rawValue: return values.isPresent(slot)
        case CompiledProgram.LazyKind.absent.rawValue: return !values.isPresent(slot)
        default:
            guard let lazy = program.atoms[a].lazy else { return atomStamp[a] == stamp }
            return evaluate(lazy, slot: slot)
        }
    }

    /// Whether a child of counted node `node` that is not a plain atom evaluates to `value` (an `or`'s true
    /// child, an `and`'s false one), evaluating them in order up to the first that does.
    @inline(__always)
    private func someOtherChild(of node: Int32, is value: Bool) -> Bool {
        for i in Int(countedOtherStart[Int(node)])..<Int(countedOtherStart[Int(node) + 1])
        where evaluateChild(countedOtherList[i]) == value {
            return true
        }
        return false
    }

    private func evaluate(_ test: CompiledProgram.LazyTest, slot: Int) -> Bool {
        switch test {
        case .exists(let present): return values.isPresent(slot) == present
        case .null: return !values.isPresent(slot)
        default: break
        }
        if case .cidr(let network) = test { return cidrMatches(CIDRMask(network), slot: slot) }
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

    private func cidrMatches(_ mask: CIDRMask, slot: Int) -> Bool {
        var entry = values.heads[slot]
        while entry >= 0 {
            let e = Int(entry)
            let value = values.entries[e]
            entry = value.next
            if let address = addresses.address(entry: e, stamp: stamp, text: { values.raw(value) }),
               mask.contains(address) {
                return true
            }
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

    /// The bytes of the first value of a slot, in place (valid while the record is evaluated).
    private func rawValue(_ slot: Int) -> UnsafeBufferPointer<UInt8>? {
        let entry = values.heads[slot]
        guard entry >= 0 else { return nil }
        return values.raw(values.entries[Int(entry)])
    }

    private func recordTimestamp() -> Timestamp {
        let entry = values.heads[0]
        guard entry >= 0 else { return .zero }
        let value = values.entries[Int(entry)]
        return timeCache.parse(values.raw(value)) ?? .zero
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

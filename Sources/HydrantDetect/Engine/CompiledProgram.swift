import HydrantRecords

/// Every detection rule of a `RuleSet` compiled for evaluation: field names resolved to slots, tests
/// deduplicated into atoms, literal tests indexed per field in shared hash tables and automata, conditions
/// flattened into one node array.
struct CompiledProgram: Sendable {
    /// Fields always read: the event time, the dataset, and what alerts copy from the triggering record.
    static let baseFields = ["@timestamp", "event.dataset", "source.ip", "source.port", "destination.ip",
                             "destination.port", "network.transport", "network.community_id"]

    /// An atom evaluated on demand (not through the shared indexes).
    enum LazyTest: Sendable {
        case glob([SigmaPattern.Piece], cased: Bool)
        case regex(CompiledRegex)
        case cidr(IPNetwork)
        case numeric(NumericComparison, Double)
        case exists(Bool)
        case null
        case fieldReference(other: Int, mode: ReferenceMode, cased: Bool)
    }

    /// What a lazy test is, as the evaluator dispatches on it without copying the test (a `LazyTest` holding an
    /// array or a class costs a retain and a release per copy).
    enum LazyKind: UInt8 {
        /// Not a lazy atom.
        case none
        case cidr
        /// `exists: true`.
        case present
        /// `exists: false` and `null`.
        case absent
        /// Globs, regexes, numeric comparisons and field references: read from the `LazyTest`.
        case other

        /// The kind of `test` (nil: an indexed atom).
        static func of(_ test: LazyTest?) -> LazyKind {
            switch test {
            case nil: return .none
            case .cidr?: return .cidr
            case .exists(let present)?: return present ? .present : .absent
            case .null?: return .absent
            case .glob?, .regex?, .numeric?, .fieldReference?: return .other
            }
        }
    }

    /// An atom: one test on one field slot.
    struct Atom: Sendable {
        let slot: Int
        /// Nil for indexed atoms, whose truth comes from the shared indexes.
        let lazy: LazyTest?
    }

    /// The shared indexes of one field slot (a class: the evaluator reaches it once per present field, and a
    /// reference costs one retain where a struct of tables would cost one per table).
    final class SlotIndex: Sendable {
        let exact: ByteStringTable
        let exactCased: ByteStringTable
        let prefix: AnchoredMatcher
        let prefixCased: AnchoredMatcher
        let suffix: AnchoredMatcher
        let suffixCased: AnchoredMatcher
        let contains: AhoCorasick
        let containsCased: AhoCorasick
        /// Atoms with an empty prefix, suffix or substring: true whenever the field has a value.
        let always: [Int32]
        /// Whether a prefix, suffix or substring test reads the field (each costs a step per byte of a value).
        var scansValues: Bool {
            !prefix.isEmpty || !prefixCased.isEmpty || !suffix.isEmpty || !suffixCased.isEmpty || !contains.isEmpty
                || !containsCased.isEmpty
        }

        init(exact: ByteStringTable, exactCased: ByteStringTable, prefix: AnchoredMatcher, prefixCased: AnchoredMatcher,
             suffix: AnchoredMatcher, suffixCased: AnchoredMatcher, contains: AhoCorasick, containsCased: AhoCorasick,
             always: [Int32]) {
            self.exact = exact
            self.exactCased = exactCased
            self.prefix = prefix
            self.prefixCased = prefixCased
            self.suffix = suffix
            self.suffixCased = suffixCased
            self.contains = contains
            self.containsCased = containsCased
            self.always = always
        }
    }

    /// A node of a flattened condition.
    enum Node: Sendable {
        case atom(Int32)
        case and(Range<Int32>)
        case or(Range<Int32>)
        case not(Int32)
        case constant(Bool)
    }

    /// One compiled detection rule.
    struct Rule: Sendable {
        let ruleIndex: Int
        let root: Int32
        let datasets: UInt16
    }

    /// For a detection rule referenced by correlations: each correlation field entry (group-by or value field)
    /// and the slots it may be read from, first present wins.
    struct CorrelationFields: Sendable {
        var entries: [(name: String, slots: [Int])] = []
    }

    var fieldNames: [String] = []
    var trie = FieldTrie()
    var atoms: [Atom] = []
    var atomRules: [[Int32]] = []
    /// `atomRules` flattened for the per-record path: the rules of atom `a` are
    /// `atomRuleList[atomRuleStart[a]..<atomRuleStart[a + 1]]` (no inner array to retain per fired atom).
    var atomRuleStart: [Int32] = []
    var atomRuleList: [Int32] = []
    /// Per atom, whether it is evaluated on demand (`Atom.lazy` is set), read without touching the test itself.
    var atomIsLazy: [Bool] = []
    /// Per atom, the indexed substring atom of its `RequiredLiteral` (a glob's or a regex's literal on the same
    /// field, in the same case form), or -1: the lazy test cannot hold unless that atom fired, so it is skipped
    /// then, and its rule needs evaluating only when the literal occurs.
    var atomPrefilter: [Int32] = []
    /// Per field slot, whether a case-insensitive test reads its lower-cased form.
    var foldSlots: [Bool] = []
    /// Per field slot, its shared literal indexes (nil when no literal test reads the field).
    var slotIndexes: [SlotIndex?] = []
    var nodes: [Node] = []
    var children: [Int32] = []
    var rules: [Rule] = []
    /// Per dataset (in `Dataset.allCases` order), the rules that must be evaluated on every record (their condition can hold with no
    /// indexed atom true, e.g. `not selection` or a regex-only rule).
    var alwaysByDataset: [[Int32]] = Array(repeating: [], count: 16)
    /// Indexed by `RuleSet.detections` index; nil for rules no correlation references.
    var correlationFields: [CorrelationFields?] = []

    static func bit(_ dataset: Dataset) -> UInt16 {
        UInt16(1) << UInt16(Dataset.allCases.firstIndex(of: dataset) ?? 15)
    }

    /// Compiles `set` (with `prefilters`, globs and regexes are guarded by their required literal); regexes were
    /// already validated at load time, so a failure here skips the rule's atom (it then never matches), which
    /// cannot happen for rules from `RuleSet.load`. Without `flatten`, nested `and`s and `or`s stay nodes of their own
    /// (the reference `ConditionFlattening` tests compare with).
    init(_ set: RuleSet, prefilters: Bool = true, flatten: Bool = true) {
        var slotOf: [String: Int] = [:]
        func slot(_ name: String) -> Int {
            if let existing = slotOf[name] { return existing }
            let created = fieldNames.count
            fieldNames.append(name)
            slotOf[name] = created
            trie.insert(name, slot: created)
            return created
        }
        for name in Self.baseFields { _ = slot(name) }
        var atomOf: [AtomKey: Int32] = [:]
        var literalTests: [(slot: Int, matcher: ValueMatcher, atom: Int32)] = []
        var regexCache: [String: CompiledRegex] = [:]

        func atom(_ field: String, _ matcher: ValueMatcher) -> Int32 {
            let s = slot(field)
            var otherSlot = -1
            if case .fieldReference(let other, _, _) = matcher { otherSlot = slot(other) }
            while foldSlots.count < fieldNames.count { foldSlots.append(false) }
            switch matcher {
            case .exact(_, let cased), .prefix(_, let cased), .suffix(_, let cased), .contains(_, let cased),
                 .glob(_, let cased):
                if !cased { foldSlots[s] = true }
            case .fieldReference(_, _, let cased):
                if !cased { foldSlots[s] = true; foldSlots[otherSlot] = true }
            case .regex, .cidr, .numeric, .exists, .null:
                break
            }
            let key = AtomKey(slot: s, matcher: matcher)
            if let existing = atomOf[key] { return existing }
            let index = Int32(atoms.count)
            var lazy: LazyTest?
            switch matcher {
            case .exact, .prefix, .suffix, .contains:
                literalTests.append((s, matcher, index))
            case .glob(let pieces, let cased): lazy = .glob(pieces, cased: cased)
            case .regex(let pattern, let flags):
                let cacheKey = "\(flags.rawValue)/\(pattern)"
                if let cached = regexCache[cacheKey] { lazy = .regex(cached) }
                else if let compiled = try? CompiledRegex(pattern: pattern, flags: flags) {
                    regexCache[cacheKey] = compiled
                    lazy = .regex(compiled)
                } else {
                    lazy = .exists(false)  // unreachable for loaded rules; see init's note
                }
            case .cidr(let network): lazy = .cidr(network)
            case .numeric(let op, let bound): lazy = .numeric(op, bound)
            case .exists(let present): lazy = .exists(present)
            case .null: lazy = .null
            case .fieldReference(_, let mode, let cased): lazy = .fieldReference(other: otherSlot, mode: mode, cased: cased)
            }
            atoms.append(Atom(slot: s, lazy: lazy))
            atomRules.append([])
            atomPrefilter.append(-1)
            atomOf[key] = index
            // A glob matches in its own case form; a regex (case-sensitive, or it has no literal) on the raw value.
            var required: ValueMatcher?
            switch (matcher, lazy) {
            case (.glob(let pieces, let cased), .glob?):
                required = RequiredLiteral.of(glob: pieces).map { .contains($0, cased: cased) }
            case (.regex(let pattern, let flags), .regex?):
                required = RequiredLiteral.of(regex: pattern, flags: flags).map { .contains($0, cased: true) }
            default:
                break
            }
            if prefilters, let required { atomPrefilter[Int(index)] = atom(field, required) }
            return index
        }

        func compile(_ expression: DetectionExpression, keywordFields: [String]) -> Int32 {
            let node: Node
            switch expression {
            case .test(let field, let matcher):
                if let field {
                    node = .atom(atom(field, matcher))
                } else {
                    let expanded = keywordFields.map { compile(.test(field: $0, matcher: matcher), keywordFields: []) }
                    if expanded.isEmpty { node = .constant(false) } else {
                        let first = Int32(children.count)
                        children += expanded
                        node = .or(first..<Int32(children.count))
                    }
                }
            case .and(let items), .or(let items):
                let isAnd: Bool
                if case .and = expression { isAnd = true } else { isAnd = false }
                var flat: [DetectionExpression] = []
                if flatten {
                    ConditionFlattening.splice(items, isAnd: isAnd, keywordFields: keywordFields, into: &flat)
                } else {
                    flat = items
                }
                let compiled = flat.map { compile($0, keywordFields: keywordFields) }
                let first = Int32(children.count)
                children += compiled
                node = isAnd ? .and(first..<Int32(children.count)) : .or(first..<Int32(children.count))
            case .not(let inner):
                node = .not(compile(inner, keywordFields: keywordFields))
            case .constant(let value):
                node = .constant(value)
            }
            nodes.append(node)
            return Int32(nodes.count - 1)
        }

        for (ruleIndex, rule) in set.detections.enumerated() {
            var keywordFields: [String] = []
            for dataset in rule.datasets {
                for field in DatasetCatalogue.keywordFields(of: dataset) where !keywordFields.contains(field) { keywordFields.append(field) }
            }
            let root = compile(rule.expression, keywordFields: keywordFields)
            let mask = rule.datasets.reduce(UInt16(0)) { $0 | Self.bit($1) }
            let compiledIndex = Int32(rules.count)
            rules.append(Rule(ruleIndex: ruleIndex, root: root, datasets: mask))
            if mayHoldWithoutIndexedAtoms(root) {
                for dataset in rule.datasets {
                    let bitIndex = Dataset.allCases.firstIndex(of: dataset) ?? 15
                    alwaysByDataset[bitIndex].append(compiledIndex)
                }
            } else {
                for a in indexedAtoms(under: root) where !atomRules[Int(a)].contains(compiledIndex) {
                    atomRules[Int(a)].append(compiledIndex)
                }
            }
        }

        atomRuleStart = [0]
        for rulesOfAtom in atomRules {
            atomRuleList += rulesOfAtom
            atomRuleStart.append(Int32(atomRuleList.count))
        }
        atomIsLazy = atoms.map { $0.lazy != nil }

        correlationFields = Array(repeating: nil, count: set.detections.count)
        for (ruleIndex, rule) in set.detections.enumerated() {
            var fields: CorrelationFields?
            for correlation in set.correlations where correlation.rules.contains(rule.key) {
                var current = fields ?? CorrelationFields()
                for (entry, targets) in (correlation.resolvedFields[rule.key] ?? [:]).sorted(by: { $0.key < $1.key })
                where !current.entries.contains(where: { $0.name == entry }) {
                    current.entries.append((entry, targets.map(slot)))
                }
                fields = current
            }
            correlationFields[ruleIndex] = fields
        }

        // Build the shared literal indexes per slot.
        slotIndexes = Array(repeating: nil, count: fieldNames.count)
        while foldSlots.count < fieldNames.count { foldSlots.append(false) }
        var grouped: [Int: [(ValueMatcher, Int32)]] = [:]
        for test in literalTests { grouped[test.slot, default: []].append((test.matcher, test.atom)) }
        for (s, tests) in grouped {
            var exact: [([UInt8], Int32)] = [], exactCased: [([UInt8], Int32)] = []
            var prefix: [([UInt8], Int32)] = [], prefixCased: [([UInt8], Int32)] = []
            var suffix: [([UInt8], Int32)] = [], suffixCased: [([UInt8], Int32)] = []
            var contains: [([UInt8], Int32)] = [], containsCased: [([UInt8], Int32)] = []
            var always: [Int32] = []
            for (matcher, a) in tests {
                switch matcher {
                case .exact(let b, let cased): if cased { exactCased.append((b, a)) } else { exact.append((b, a)) }
                case .prefix(let b, let cased):
                    if b.isEmpty { always.append(a) } else if cased { prefixCased.append((b, a)) } else { prefix.append((b, a)) }
                case .suffix(let b, let cased):
                    if b.isEmpty { always.append(a) } else if cased { suffixCased.append((b, a)) } else { suffix.append((b, a)) }
                case .contains(let b, let cased):
                    if b.isEmpty { always.append(a) } else if cased { containsCased.append((b, a)) } else { contains.append((b, a)) }
                default: break
                }
            }
            slotIndexes[s] = SlotIndex(
                exact: ByteStringTable(exact), exactCased: ByteStringTable(exactCased),
                prefix: AnchoredMatcher(prefix, anchor: .start), prefixCased: AnchoredMatcher(prefixCased, anchor: .start),
                suffix: AnchoredMatcher(suffix, anchor: .end), suffixCased: AnchoredMatcher(suffixCased, anchor: .end),
                contains: AhoCorasick(contains), containsCased: AhoCorasick(containsCased), always: always)
        }
    }

    private struct AtomKey: Hashable {
        let slot: Int
        let matcher: ValueMatcher
    }

    /// Three-valued evaluation with indexed atoms (and lazy atoms whose prefilter is an indexed atom) false and
    /// the other lazy atoms unknown: a rule that is certainly false
    /// then only needs evaluating when one of its indexed atoms fired.
    private func mayHoldWithoutIndexedAtoms(_ root: Int32) -> Bool {
        func eval(_ n: Int32) -> Bool? {
            switch nodes[Int(n)] {
            case .atom(let a): return atoms[Int(a)].lazy == nil || atomPrefilter[Int(a)] >= 0 ? false : nil
            case .constant(let v): return v
            case .not(let inner): return eval(inner).map { !$0 }
            case .and(let range):
                var unknown = false
                for i in range {
                    switch eval(children[Int(i)]) {
                    case false?: return false
                    case nil: unknown = true
                    default: break
                    }
                }
                return unknown ? nil : true
            case .or(let range):
                var unknown = false
                for i in range {
                    switch eval(children[Int(i)]) {
                    case true?: return true
                    case nil: unknown = true
                    default: break
                    }
                }
                return unknown ? nil : false
            }
        }
        return eval(root) != false
    }

    /// The indexed atoms under `root` that occur in a positive position (under an even number of `not`s): the
    /// rule can only hold when one of them is true. The condition is monotone in each atom (rising in positive
    /// ones, falling in negative ones), and `mayHoldWithoutIndexedAtoms` showed it false with every indexed atom
    /// false; so with the positive ones false it stays false whatever the negative ones are. A filter's atoms
    /// (`selection and not filter`) therefore do not make the rule a candidate on the many records they match.
    /// A lazy atom with a prefilter counts as its prefilter atom: it is false whenever that atom did not fire.
    func indexedAtoms(under root: Int32) -> [Int32] {
        var out: [Int32] = []
        func visit(_ n: Int32, positive: Bool) {
            switch nodes[Int(n)] {
            case .atom(let a):
                guard positive else { break }
                if atoms[Int(a)].lazy == nil { out.append(a) } else if atomPrefilter[Int(a)] >= 0 { out.append(atomPrefilter[Int(a)]) }
            case .constant: break
            case .not(let inner): visit(inner, positive: !positive)
            case .and(let range), .or(let range): for i in range { visit(children[Int(i)], positive: positive) }
            }
        }
        visit(root, positive: true)
        return out
    }
}

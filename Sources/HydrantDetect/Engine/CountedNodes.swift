/// The `and`/`or` nodes of a compiled program that are decided by counting their atoms as they fire, rather than
/// by testing each child's stamp when the rule is evaluated.
///
/// SigmaHQ rules list dozens of values (`Image|endswith: [...]`, `dns.question.name: [...]`): an `or` of forty
/// indexed atoms cost forty stamp tests whenever its rule was a candidate, though only one or two of them fire on
/// a record. An atom fires at most once per record, so a node whose plain children (indexed atoms) are listed with
/// each atom can count, as the atoms fire, how many of them hold: an `or` holds when the count is above zero, an
/// `and` only when it equals the number of plain children. Children that are not plain atoms (lazy tests, nested
/// nodes) are still evaluated, after the count, in their order; every child is a pure test of the record, so the
/// order changes what is computed, never the answer.
struct CountedNodes {
    /// Nodes with fewer plain children keep their loop: counting costs a step per fired atom and parent.
    static let minimumPlainChildren = 4

    /// Per node, the number of its plain children (with repeats) when it is counted, else -1.
    var plainCount: [Int32]
    /// Per counted node, the children that are not plain atoms: `otherList[otherStart[n]..<otherStart[n + 1]]`.
    var otherStart: [Int32]
    var otherList: [Int32]
    /// Per atom, the counted nodes that list it as a plain child, once per listing:
    /// `parentList[parentStart[a]..<parentStart[a + 1]]`.
    var parentStart: [Int32]
    var parentList: [Int32]

    /// The counted nodes of `nodes`, whose `and`/`or` ranges index `children`; `plainAtom` is, per node, its atom
    /// when it is an indexed (not lazy) atom, else -1. Without `enabled`, no node is counted.
    init(nodes: [CompiledProgram.Node], children: [Int32], plainAtom: [Int32], atomCount: Int, enabled: Bool = true) {
        var plainCount = [Int32](repeating: -1, count: nodes.count)
        var otherStart: [Int32] = [0]
        var otherList: [Int32] = []
        var parents: [[Int32]] = Array(repeating: [], count: atomCount)
        for (n, node) in nodes.enumerated() {
            defer { otherStart.append(Int32(otherList.count)) }
            guard enabled else { continue }
            let range: Range<Int32>
            switch node {
            case .and(let r), .or(let r): range = r
            case .atom, .not, .constant: continue
            }
            let plain = range.filter { plainAtom[Int(children[Int($0)])] >= 0 }
            guard plain.count >= Self.minimumPlainChildren else { continue }
            plainCount[n] = Int32(plain.count)
            for i in range {
                let child = children[Int(i)]
                let atom = plainAtom[Int(child)]
                if atom >= 0 { parents[Int(atom)].append(Int32(n)) } else { otherList.append(child) }
            }
        }
        var parentStart: [Int32] = [0]
        var parentList: [Int32] = []
        for list in parents {
            parentList += list
            parentStart.append(Int32(parentList.count))
        }
        self.plainCount = plainCount
        self.otherStart = otherStart
        self.otherList = otherList
        self.parentStart = parentStart
        self.parentList = parentList
    }
}

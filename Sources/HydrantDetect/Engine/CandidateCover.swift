/// Which indexed atoms make a rule a candidate for evaluation on a record.
///
/// A rule is evaluated on a record only when one atom of its cover fired: a set of indexed atoms such that the
/// condition is false whenever none of them fired. Every positive atom together is a cover (what the compiled
/// program starts with), but an `and` is already false when one of its children is, so the cover of
/// `network.transport: tcp and destination.port: 22` needs only one of the two; taking the atom that fires less
/// often (port 22) keeps the rule off the candidates of every other TCP flow. How often atoms fire is learnt from
/// the records themselves (`DetectionEngine` counts them over its first records), so the choice follows the
/// traffic, and any choice gives the same matches: the condition is still evaluated in full on every candidate.
extension CompiledProgram {
    /// A cover of the condition at `node` and its estimated cost (the sum of its atoms' `cost`), or nil when the
    /// structure shows none (under a `not`, a lazy atom without a prefilter, a `true` constant). A lazy atom with a
    /// prefilter counts as its prefilter atom: it is false whenever that atom did not fire.
    func cover(of node: Int32, cost: (Int32) -> Double) -> (atoms: [Int32], cost: Double)? {
        switch nodes[Int(node)] {
        case .atom(let a):
            if atoms[Int(a)].lazy == nil { return ([a], cost(a)) }
            let prefilter = atomPrefilter[Int(a)]
            return prefilter >= 0 ? ([prefilter], cost(prefilter)) : nil
        case .constant(let value):
            return value ? nil : ([], 0)
        case .not:
            return nil
        case .and(let range):
            // False as soon as one child is: the cheapest child's cover is enough (the first among equals).
            var best: (atoms: [Int32], cost: Double)?
            for i in range {
                guard let candidate = cover(of: children[Int(i)], cost: cost) else { continue }
                if let current = best, current.cost <= candidate.cost { continue }
                best = candidate
            }
            return best
        case .or(let range):
            // False only when every child is: all their covers together.
            var atoms: [Int32] = []
            var total = 0.0
            for i in range {
                guard let child = cover(of: children[Int(i)], cost: cost) else { return nil }
                for a in child.atoms where !atoms.contains(a) { atoms.append(a) }
                total += child.cost
            }
            return (atoms, total)
        }
    }

    /// Per atom, the compiled rules it makes candidates (as `atomRuleStart`/`atomRuleList`): each rule that is not
    /// evaluated on every record is listed under the atoms of its cheapest cover, or under all its positive
    /// indexed atoms when the structure shows no cover.
    func candidateLists(cost: (Int32) -> Double) -> (start: [Int32], list: [Int32]) {
        var always = [Bool](repeating: false, count: rules.count)
        for list in alwaysByDataset { for rule in list { always[Int(rule)] = true } }
        var byAtom = [[Int32]](repeating: [], count: atoms.count)
        for (index, rule) in rules.enumerated() where !always[index] {
            let atomsOfRule = cover(of: rule.root, cost: cost)?.atoms ?? indexedAtoms(under: rule.root)
            for a in atomsOfRule where !byAtom[Int(a)].contains(Int32(index)) { byAtom[Int(a)].append(Int32(index)) }
        }
        var start: [Int32] = [0]
        var list: [Int32] = []
        for rulesOfAtom in byAtom {
            list += rulesOfAtom
            start.append(Int32(list.count))
        }
        return (start, list)
    }
}

/// The member names that lead to the fields one dataset's rules read, as a trie over JSON object members.
///
/// Both spellings of a dotted field are entered: the nested path (`{"dns":{"question":{"name":…}}}`, Hydrant's
/// own output) and the flat key (`{"dns.question.name":…}`, as Zeek writes `id.orig_h`).
struct FieldTrie: Sendable {
    struct Node: Sendable {
        var names: [[UInt8]] = []
        var children: [Int32] = []
        /// The field slot a value at this node fills, or -1.
        var field: Int32 = -1
    }

    private(set) var nodes: [Node] = [Node()]

    /// Adds the field `name` for slot `slot`.
    mutating func insert(_ name: String, slot: Int) {
        let components = name.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) }
        var node = 0
        for component in components { node = child(of: node, named: component) }
        nodes[node].field = Int32(slot)
        if components.count > 1 {
            let flat = child(of: 0, named: Array(name.utf8))
            nodes[flat].field = Int32(slot)
        }
    }

    private mutating func child(of node: Int, named name: [UInt8]) -> Int {
        if let index = nodes[node].names.firstIndex(of: name) { return Int(nodes[node].children[index]) }
        nodes.append(Node())
        let created = nodes.count - 1
        nodes[node].names.append(name)
        nodes[node].children.append(Int32(created))
        return created
    }
}

/// The member names that lead to the fields one dataset's rules read, as a trie over JSON object members.
///
/// Both spellings of a dotted field are entered: the nested path (`{"dns":{"question":{"name":…}}}`, Hydrant's
/// own output) and the flat key (`{"dns.question.name":…}`, as Zeek writes `id.orig_h`).
///
/// Edges of every node live in one open-addressing hash table keyed by (parent node, member name), so a member
/// is resolved with one hash of its name and usually one probe, however many names a node has (the root holds
/// every flat key of every rule's fields).
struct FieldTrie: Sendable {
    /// Per node: the field slot a value at this node fills, or -1.
    private(set) var field: [Int32] = [-1]
    /// Per node: how many children it has (0: nothing below, the scanner skips the subtree).
    private(set) var childCount: [Int32] = [0]

    private var edgeParent: [Int32] = []
    private var edgeChild: [Int32] = []
    private var edgeNameStart: [Int32] = []
    private var edgeNameLength: [Int32] = []
    private var nameBytes: [UInt8] = []
    /// Open-addressing table of edge indexes (-1 empty), with each edge's hash beside it.
    private var table: [Int32] = Array(repeating: -1, count: 16)
    private var tableHash: [UInt64] = Array(repeating: 0, count: 16)

    /// The number of nodes (the root is node 0).
    var nodeCount: Int { field.count }

    /// Adds the field `name` for slot `slot`.
    mutating func insert(_ name: String, slot: Int) {
        let components = name.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) }
        var node = 0
        for component in components { node = child(of: node, named: component) }
        field[node] = Int32(slot)
        if components.count > 1 {
            let flat = child(of: 0, named: Array(name.utf8))
            field[flat] = Int32(slot)
        }
    }

    /// The child of `node` named by the `count` bytes at `base`, or -1.
    @inline(__always)
    func child(of node: Int, _ base: UnsafePointer<UInt8>, _ count: Int) -> Int {
        let hash = Self.hash(node, base, count)
        let mask = table.count - 1
        var position = Int(truncatingIfNeeded: hash) & mask
        while true {
            let edge = Int(table[position])
            if edge < 0 { return -1 }
            if tableHash[position] == hash && Int(edgeParent[edge]) == node && Int(edgeNameLength[edge]) == count {
                let start = Int(edgeNameStart[edge])
                var same = true
                for i in 0..<count where nameBytes[start + i] != base[i] { same = false; break }
                if same { return Int(edgeChild[edge]) }
            }
            position = (position + 1) & mask
        }
    }

    /// FNV-1a over the parent node's number and the name's bytes.
    @inline(__always)
    private static func hash(_ node: Int, _ base: UnsafePointer<UInt8>?, _ count: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(truncatingIfNeeded: node)
        h = h &* 0x0000_0100_0000_01B3
        guard let base else { return h }
        for i in 0..<count {
            h ^= UInt64(base[i])
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    private mutating func child(of node: Int, named name: [UInt8]) -> Int {
        let existing = name.withUnsafeBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return emptyChild(of: node) }
            return child(of: node, base, buffer.count)
        }
        if existing >= 0 { return existing }
        field.append(-1)
        childCount.append(0)
        let created = field.count - 1
        let edge = Int32(edgeParent.count)
        edgeParent.append(Int32(node))
        edgeChild.append(Int32(created))
        edgeNameStart.append(Int32(nameBytes.count))
        edgeNameLength.append(Int32(name.count))
        nameBytes += name
        childCount[node] += 1
        if (edgeParent.count) * 2 > table.count { rebuildTable(capacity: table.count * 2) } else { place(edge) }
        return created
    }

    /// An empty member name (`{"":1}`) has no bytes to point at; it is found by a scan of the edges.
    private func emptyChild(of node: Int) -> Int {
        for edge in edgeParent.indices where Int(edgeParent[edge]) == node && edgeNameLength[edge] == 0 {
            return Int(edgeChild[edge])
        }
        return -1
    }

    private mutating func place(_ edge: Int32) {
        let start = Int(edgeNameStart[Int(edge)])
        let count = Int(edgeNameLength[Int(edge)])
        let hash = nameBytes.withUnsafeBufferPointer { buffer in
            Self.hash(Int(edgeParent[Int(edge)]), buffer.baseAddress.map { $0 + start }, count)
        }
        let mask = table.count - 1
        var position = Int(truncatingIfNeeded: hash) & mask
        while table[position] >= 0 { position = (position + 1) & mask }
        table[position] = edge
        tableHash[position] = hash
    }

    private mutating func rebuildTable(capacity: Int) {
        table = Array(repeating: -1, count: capacity)
        tableHash = Array(repeating: 0, count: capacity)
        for edge in edgeParent.indices { place(Int32(edge)) }
    }
}

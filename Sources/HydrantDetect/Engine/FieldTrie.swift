#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
                let same = nameBytes.withUnsafeBufferPointer { names in
                    guard let names = names.baseAddress else { return count == 0 }
                    return Self.equal(names + start, base, count)
                }
                if same { return Int(edgeChild[edge]) }
            }
            position = (position + 1) & mask
        }
    }

    /// Whether `count` bytes at `a` and `b` are equal, compared a word at a time inline (member names are short:
    /// a call to `memcmp` per member costs more than the comparison).
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        if count >= 8 {
            var i = 0
            while i + 8 <= count {
                if x.loadUnaligned(fromByteOffset: i, as: UInt64.self) != y.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                    return false
                }
                i += 8
            }
            return i == count || x.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == y.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 {
            return x.loadUnaligned(fromByteOffset: 0, as: UInt32.self) == y.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
                && x.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == y.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        for i in 0..<count where a[i] != b[i] { return false }
        return true
    }

    /// A multiply-xor hash of the parent node's number and the name, read a word at a time (member names are
    /// hashed once per member of every object the rules look into, so a byte-at-a-time hash is a chain of
    /// multiplications as long as the name). Loads stay within the name: short tails are read as overlapping
    /// words.
    @inline(__always)
    static func hash(_ node: Int, _ base: UnsafePointer<UInt8>?, _ count: Int) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = (UInt64(truncatingIfNeeded: node) &+ 1) &* k ^ UInt64(truncatingIfNeeded: count)
        if let base, count > 0 {
            let raw = UnsafeRawPointer(base)
            if count >= 8 {
                var i = 0
                while i + 8 <= count {
                    h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* k
                    h ^= h >> 29
                    i += 8
                }
                if i < count { h = (h ^ raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) &* k }
            } else if count >= 4 {
                let low = UInt64(raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
                let high = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
                h = (h ^ (low | high << 32)) &* k
            } else {
                let word = UInt64(base[0]) | UInt64(base[count >> 1]) << 8 | UInt64(base[count - 1]) << 16
                h = (h ^ word) &* k
            }
        }
        h ^= h >> 32
        h = h &* k
        return h ^ (h >> 29)
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

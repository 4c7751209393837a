/// A multi-pattern substring matcher (Aho–Corasick) compiled to a DFA over byte classes: one table step per
/// input byte whatever the number of patterns. Bytes that occur in no pattern share one class, which keeps the
/// table small.
struct AhoCorasick: Sendable {
    private var classOf: [UInt8] = Array(repeating: 0, count: 256)
    private var classCount = 1
    private var table: [Int32] = []
    private var outputRange: [Range<Int32>] = []
    private var outputs: [Int32] = []

    var isEmpty: Bool { outputs.isEmpty }

    /// Builds the automaton for (pattern, id) pairs; empty patterns are ignored by the caller (they always match).
    init(_ patterns: [([UInt8], Int32)]) {
        guard !patterns.isEmpty else { return }
        var used = Set<UInt8>()
        for (pattern, _) in patterns { used.formUnion(pattern) }
        for byte in used.sorted() {
            classOf[Int(byte)] = UInt8(classCount)
            classCount += 1
        }
        // Trie with sparse edges, then failure links by breadth-first search, then the dense DFA.
        var edges: [[Int: Int]] = [[:]]
        var nodeOutputs: [[Int32]] = [[]]
        for (pattern, id) in patterns {
            var node = 0
            for byte in pattern {
                let c = Int(classOf[Int(byte)])
                if let next = edges[node][c] { node = next } else {
                    edges.append([:])
                    nodeOutputs.append([])
                    edges[node][c] = edges.count - 1
                    node = edges.count - 1
                }
            }
            nodeOutputs[node].append(id)
        }
        let count = edges.count
        var fail = Array(repeating: 0, count: count)
        table = Array(repeating: 0, count: count * classCount)
        var queue: [Int] = []
        for c in 0..<classCount {
            if let next = edges[0][c] { table[c] = Int32(next); queue.append(next) }
        }
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            nodeOutputs[node] += nodeOutputs[fail[node]]
            for c in 0..<classCount {
                if let next = edges[node][c] {
                    fail[next] = Int(table[fail[node] * classCount + c])
                    table[node * classCount + c] = Int32(next)
                    queue.append(next)
                } else {
                    table[node * classCount + c] = table[fail[node] * classCount + c]
                }
            }
        }
        outputRange.reserveCapacity(count)
        for node in 0..<count {
            let first = Int32(outputs.count)
            outputs += Array(Set(nodeOutputs[node])).sorted()
            outputRange.append(first..<Int32(outputs.count))
        }
    }

    /// Calls `body` with the id of every pattern that occurs in the bytes (an id may be reported more than once).
    @inline(__always)
    func scan(_ base: UnsafePointer<UInt8>, _ count: Int, _ body: (Int32) -> Void) {
        var state = 0
        let classes = classCount
        for i in 0..<count {
            state = Int(table[state * classes + Int(classOf[Int(base[i])])])
            let range = outputRange[state]
            if !range.isEmpty { for j in range { body(outputs[Int(j)]) } }
        }
    }
}

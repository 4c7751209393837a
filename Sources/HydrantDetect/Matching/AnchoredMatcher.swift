/// Many prefixes (or, walked from the end, suffixes) matched in one anchored walk of a trie compiled to a table
/// over byte classes: a value costs at most one step per byte of its longest matching start, and usually stops
/// at the first byte no pattern continues with, whatever the number and lengths of the patterns.
struct AnchoredMatcher: Sendable {
    /// Which end of the value the patterns are anchored at.
    enum Anchor: Sendable {
        /// Patterns are prefixes: the walk starts at the first byte.
        case start
        /// Patterns are suffixes: the walk starts at the last byte and goes backwards.
        case end
    }

    let anchor: Anchor
    private var classOf: [UInt8] = Array(repeating: 0, count: 256)
    private var classCount = 1
    /// `node * classCount + class` → next node; 0 (the root, never re-entered) means no pattern continues.
    private var table: [Int32] = []
    private var outputRange: [Range<Int32>] = []
    private var outputs: [Int32] = []

    /// Whether there is no pattern.
    var isEmpty: Bool { outputs.isEmpty }

    /// Builds the matcher for non-empty (pattern, id) pairs (empty patterns always match; the caller keeps them).
    init(_ patterns: [([UInt8], Int32)], anchor: Anchor) {
        self.anchor = anchor
        let nonEmpty = patterns.filter { !$0.0.isEmpty }
        guard !nonEmpty.isEmpty else { return }
        var used = Set<UInt8>()
        for (pattern, _) in nonEmpty { used.formUnion(pattern) }
        for byte in used.sorted() {
            classOf[Int(byte)] = UInt8(classCount)
            classCount += 1
        }
        var nodeOutputs: [[Int32]] = [[]]
        table = Array(repeating: 0, count: classCount)
        for (pattern, id) in nonEmpty {
            var node = 0
            let ordered = anchor == .start ? pattern : pattern.reversed()
            for byte in ordered {
                let cell = node * classCount + Int(classOf[Int(byte)])
                if table[cell] != 0 { node = Int(table[cell]); continue }
                nodeOutputs.append([])
                table += repeatElement(0, count: classCount)
                table[cell] = Int32(nodeOutputs.count - 1)
                node = nodeOutputs.count - 1
            }
            nodeOutputs[node].append(id)
        }
        for list in nodeOutputs {
            let first = Int32(outputs.count)
            outputs += Array(Set(list)).sorted()
            outputRange.append(first..<Int32(outputs.count))
        }
    }

    /// Calls `body` with the id of every pattern the `count` bytes at `base` start (or end) with.
    @inline(__always)
    func walk(_ base: UnsafePointer<UInt8>, _ count: Int, _ body: (Int32) -> Void) {
        guard !outputs.isEmpty else { return }
        var node = 0
        var step = 0
        while step < count {
            let byte = anchor == .start ? base[step] : base[count - 1 - step]
            let next = Int(table[node * classCount + Int(classOf[Int(byte)])])
            if next == 0 { return }
            node = next
            let range = outputRange[node]
            if !range.isEmpty { for i in range { body(outputs[Int(i)]) } }
            step += 1
        }
    }
}

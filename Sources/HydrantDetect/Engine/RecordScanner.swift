import HydrantRecords

/// One pass over a JSON record that copies out the values of the fields in a `FieldTrie` (scalars, and each
/// scalar element of an array) and skips everything else. Malformed JSON or nesting deeper than
/// `maximumDepth` fails the record.
struct RecordScanner {
    static let maximumDepth = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var scratch: [UInt8]

    private init(bytes: UnsafeBufferPointer<UInt8>, scratch: [UInt8]) {
        self.bytes = bytes
        self.scratch = scratch
    }

    /// Scans `record` and fills `values`; returns false for malformed JSON or a top level that is not an object.
    static func scan(_ record: UnsafeBufferPointer<UInt8>, trie: FieldTrie, into values: inout RecordValues,
                     scratch: inout [UInt8]) -> Bool {
        var scanner = RecordScanner(bytes: record, scratch: scratch)
        defer { scratch = scanner.scratch }
        scanner.skipWhitespace()
        guard scanner.index < record.count, record[scanner.index] == UInt8(ascii: "{") else { return false }
        guard scanner.object(node: 0, depth: 1, trie: trie, values: &values) else { return false }
        scanner.skipWhitespace()
        return scanner.index == record.count
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count, JSONScanner.isWhitespace(bytes[index]) { index += 1 }
    }

    private mutating func object(node: Int, depth: Int, trie: FieldTrie, values: inout RecordValues) -> Bool {
        guard depth <= Self.maximumDepth else { return false }
        index += 1
        skipWhitespace()
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "}") { index += 1; return true }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return false }
            let nameStart = index + 1
            guard let escapes = string() else { return false }
            let name = nameStart..<(index - 1)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            skipWhitespace()
            let child = node >= 0 ? match(name, escapes: escapes, in: trie.nodes[node]) : -1
            guard value(node: child, depth: depth, trie: trie, values: &values) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") { index += 1; skipWhitespace(); continue }
            guard bytes[index] == UInt8(ascii: "}") else { return false }
            index += 1
            return true
        }
    }

    /// The child of `node` named by the member name at `range`, or -1.
    private mutating func match(_ range: Range<Int>, escapes: Bool, in node: FieldTrie.Node) -> Int {
        if node.names.isEmpty { return -1 }
        if escapes {
            scratch.removeAll(keepingCapacity: true)
            guard JSONStringDecoder.unescape(UnsafeBufferPointer(rebasing: bytes[range]), into: &scratch) else { return -1 }
            for (i, name) in node.names.enumerated() where name == scratch { return Int(node.children[i]) }
            return -1
        }
        let count = range.count
        outer: for (i, name) in node.names.enumerated() where name.count == count {
            var offset = range.lowerBound
            for byte in name {
                if bytes[offset] != byte { continue outer }
                offset += 1
            }
            return Int(node.children[i])
        }
        return -1
    }

    /// Parses the value at `index`; `node` is the trie node it sits at (-1 when no field lies below).
    private mutating func value(node: Int, depth: Int, trie: FieldTrie, values: inout RecordValues) -> Bool {
        guard index < bytes.count else { return false }
        let slot = node >= 0 ? Int(trie.nodes[node].field) : -1
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return object(node: node >= 0 && !trie.nodes[node].names.isEmpty ? node : -1, depth: depth + 1, trie: trie,
                          values: &values)
        case UInt8(ascii: "["):
            return array(node: node, depth: depth + 1, trie: trie, values: &values)
        case UInt8(ascii: "\""):
            let start = index + 1
            guard let escapes = string() else { return false }
            if slot >= 0 {
                let range = start..<(index - 1)
                if escapes {
                    scratch.removeAll(keepingCapacity: true)
                    guard JSONStringDecoder.unescape(UnsafeBufferPointer(rebasing: bytes[range]), into: &scratch) else { return false }
                    scratch.withUnsafeBufferPointer { values.append(slot: slot, kind: .string, bytes: $0) }
                } else {
                    values.append(slot: slot, kind: .string, bytes: UnsafeBufferPointer(rebasing: bytes[range]))
                }
            }
            return true
        case UInt8(ascii: "t"):
            guard literal("true") else { return false }
            if slot >= 0 { values.append(slot: slot, kind: .bool, bytes: UnsafeBufferPointer(rebasing: bytes[(index - 4)..<index])) }
            return true
        case UInt8(ascii: "f"):
            guard literal("false") else { return false }
            if slot >= 0 { values.append(slot: slot, kind: .bool, bytes: UnsafeBufferPointer(rebasing: bytes[(index - 5)..<index])) }
            return true
        case UInt8(ascii: "n"):
            return literal("null")
        default:
            let start = index
            guard number() else { return false }
            if slot >= 0 { values.append(slot: slot, kind: .number, bytes: UnsafeBufferPointer(rebasing: bytes[start..<index])) }
            return true
        }
    }

    /// An array's elements sit at the same trie node as the array: scalars become values of its field and
    /// objects are searched for the fields below it (`dns.answers` as a list of objects).
    private mutating func array(node: Int, depth: Int, trie: FieldTrie, values: inout RecordValues) -> Bool {
        guard depth <= Self.maximumDepth else { return false }
        index += 1
        skipWhitespace()
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "]") { index += 1; return true }
        while true {
            guard value(node: node, depth: depth, trie: trie, values: &values) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") { index += 1; skipWhitespace(); continue }
            guard bytes[index] == UInt8(ascii: "]") else { return false }
            index += 1
            return true
        }
    }

    private mutating func string() -> Bool? {
        index += 1
        var escapes = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { index += 1; return escapes }
            if byte < 0x20 { return nil }
            if byte == UInt8(ascii: "\\") {
                escapes = true
                guard index + 1 < bytes.count else { return nil }
                index += 2
                continue
            }
            index += 1
        }
        return nil
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let text = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != text[offset] { return false }
        index += count
        return true
    }

    private mutating func number() -> Bool {
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                 UInt8(ascii: "e"), UInt8(ascii: "E"):
                index += 1
            default:
                return index > start
            }
        }
        return index > start
    }
}

import HydrantRecords

/// Reads one JSON record against an `ArchiveSchema` in a single pass: every member whose path is a column is
/// checked against the column's type and kept as a typed value or a byte range of the record; other members are
/// skipped (after checking that they are well-formed). Nothing is written until the whole record fits, so a record
/// that does not fit leaves the Parquet writer untouched.
///
/// The values stay valid until the next `shred` call; one shredder serves one task.
final class JSONRecordShredder {
    /// Why a record did not fit, as the error output's message says it.
    struct Failure: Error {
        /// The reason.
        let message: String
        /// Whether the record is not well-formed JSON (as opposed to well-formed but of the wrong shape).
        let malformed: Bool
    }

    /// Where a string value's bytes are: in the record, or in `unescaped` (it had escapes).
    struct TextRange {
        var inRecord: Bool
        var start: Int
        var end: Int
    }

    /// A member name leading from one trie node to another; the name's bytes are in `edgeNames`.
    private struct Edge {
        var nameStart: Int32
        var nameCount: Int32
        var node: Int32
    }

    /// The path trie, flattened once at start-up into immutable tables so that walking it per member reads
    /// contiguous memory and retains nothing: node `n`'s edges are `edges[edgeStarts[n]..<edgeStarts[n + 1]]`.
    private let edges: [Edge]
    private let edgeNames: [UInt8]
    private let edgeStarts: [Int32]
    /// The column slot a node's path is (-1: none).
    private let nodeSlots: [Int]
    /// Whether a node is `event.dataset`, whose value is noted to pick the table.
    private let probeNode: Int

    static let maximumDepth = 64

    let schema: ArchiveSchema
    private let scalars: [ArchiveColumnType.Scalar]
    private let isList: [Bool]
    private let requiredSlots: [Int]

    // Values of the last record, by column; `seen[slot] == generation` marks a value present.
    private var generation: UInt32 = 1
    private(set) var seen: [UInt32]
    private(set) var numbers: [Int64]
    private(set) var texts: [TextRange]
    private(set) var listStarts: [Int]
    private(set) var listCounts: [Int]
    // List elements of the last record; an element is null when `elementNull` is set.
    private(set) var elementNumbers: [Int64] = []
    private(set) var elementTexts: [TextRange] = []
    private(set) var elementNull: [Bool] = []
    /// Unescaped bytes of strings that had escapes.
    private(set) var unescaped: [UInt8] = []
    /// Where `event.dataset` was found in the last record (a string without escapes), nil when absent.
    private(set) var dataset: Range<Int>?

    init(schema: ArchiveSchema) {
        self.schema = schema
        scalars = schema.columns.map(\.type.scalar)
        isList = schema.columns.map(\.type.isList)
        requiredSlots = schema.columns.indices.filter { schema.columns[$0].required }
        let count = schema.columns.count
        seen = Array(repeating: 0, count: count)
        numbers = Array(repeating: 0, count: count)
        texts = Array(repeating: TextRange(inRecord: true, start: 0, end: 0), count: count)
        listStarts = Array(repeating: 0, count: count)
        listCounts = Array(repeating: 0, count: count)
        // Build the trie with per-node child lists, then flatten it.
        var children: [[(name: [UInt8], node: Int)]] = [[]]
        var slots = [-1]
        func insert(_ path: [String]) -> Int {
            var node = 0
            for name in path {
                let bytes = Array(name.utf8)
                if let child = children[node].first(where: { $0.name == bytes }) {
                    node = child.node
                } else {
                    children.append([])
                    slots.append(-1)
                    children[node].append((bytes, children.count - 1))
                    node = children.count - 1
                }
            }
            return node
        }
        for (slot, column) in schema.columns.enumerated() { slots[insert(column.path)] = slot }
        probeNode = insert(["event", "dataset"])
        var edges: [Edge] = []
        var names: [UInt8] = []
        var starts: [Int32] = []
        for list in children {
            starts.append(Int32(edges.count))
            for child in list {
                edges.append(Edge(nameStart: Int32(names.count), nameCount: Int32(child.name.count), node: Int32(child.node)))
                names.append(contentsOf: child.name)
            }
        }
        starts.append(Int32(edges.count))
        self.edges = edges
        edgeNames = names
        edgeStarts = starts
        nodeSlots = slots
    }

    /// Whether trie node `node` has children (its path leads to columns further down).
    @inline(__always)
    private func hasChildren(_ node: Int) -> Bool { edgeStarts[node] != edgeStarts[node + 1] }

    /// Whether column `slot` has a value in the last record.
    @inline(__always)
    func has(_ slot: Int) -> Bool { seen[slot] == generation }

    /// Reads the JSON value starting at `start` (after whitespace); returns where it ends. Throws when the value is
    /// not a well-formed object or does not fit the schema.
    func shred(_ record: UnsafeBufferPointer<UInt8>, from start: Int) throws(Failure) -> Int {
        generation &+= 1
        if generation == 0 {
            for index in seen.indices { seen[index] = 0 }
            generation = 1
        }
        elementNumbers.removeAll(keepingCapacity: true)
        elementTexts.removeAll(keepingCapacity: true)
        elementNull.removeAll(keepingCapacity: true)
        unescaped.removeAll(keepingCapacity: true)
        dataset = nil
        var cursor = Cursor(bytes: record, index: start)
        cursor.skipWhitespace()
        guard cursor.index < record.count, record[cursor.index] == UInt8(ascii: "{") else {
            throw Failure(message: "the record is not a JSON object", malformed: true)
        }
        try object(&cursor, node: 0, depth: 1)
        for slot in requiredSlots where !has(slot) {
            throw Failure(message: "required field \(schema.columns[slot].name) is missing", malformed: false)
        }
        return cursor.index
    }

    // MARK: - Walking

    private func object(_ cursor: inout Cursor, node: Int, depth: Int) throws(Failure) {
        guard depth <= Self.maximumDepth else { throw cursor.malformed("nests deeper than \(Self.maximumDepth) levels") }
        cursor.index += 1
        cursor.skipWhitespace()
        if cursor.peek == UInt8(ascii: "}") {
            cursor.index += 1
            return
        }
        while true {
            guard cursor.peek == UInt8(ascii: "\"") else { throw cursor.malformed("expected a member name") }
            let nameStart = cursor.index + 1
            guard let escapes = cursor.string() else { throw cursor.malformed("bad member name") }
            let nameEnd = cursor.index - 1
            cursor.skipWhitespace()
            guard cursor.peek == UInt8(ascii: ":") else { throw cursor.malformed("expected ':'") }
            cursor.index += 1
            cursor.skipWhitespace()
            if let child = self.child(of: node, name: nameStart..<nameEnd, escapes: escapes, in: cursor.bytes) {
                try value(&cursor, node: child, depth: depth)
            } else {
                try cursor.skipValue(depth: depth)
            }
            cursor.skipWhitespace()
            switch cursor.peek {
            case UInt8(ascii: ","):
                cursor.index += 1
                cursor.skipWhitespace()
            case UInt8(ascii: "}"):
                cursor.index += 1
                return
            default:
                throw cursor.malformed("expected ',' or '}'")
            }
        }
    }

    private func child(of node: Int, name: Range<Int>, escapes: Bool, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let first = Int(edgeStarts[node])
        let end = Int(edgeStarts[node + 1])
        if first == end { return nil }
        if escapes {
            var decoded: [UInt8] = []
            guard JSONStringDecoder.unescape(UnsafeBufferPointer(rebasing: bytes[name]), into: &decoded) else { return nil }
            return decoded.withUnsafeBufferPointer { find(UnsafeBufferPointer(rebasing: $0[...]), among: first..<end) }
        }
        return find(UnsafeBufferPointer(rebasing: bytes[name]), among: first..<end)
    }

    /// The node the edge in `candidates` named `name` leads to, or nil.
    @inline(__always)
    private func find(_ name: UnsafeBufferPointer<UInt8>, among candidates: Range<Int>) -> Int? {
        edgeNames.withUnsafeBufferPointer { names in
            let count = name.count
            outer: for index in candidates {
                let edge = edges[index]
                guard Int(edge.nameCount) == count else { continue }
                var offset = Int(edge.nameStart)
                for byte in name {
                    if names[offset] != byte { continue outer }
                    offset += 1
                }
                return Int(edge.node)
            }
            return nil
        }
    }

    private func value(_ cursor: inout Cursor, node: Int, depth: Int) throws(Failure) {
        let slot = nodeSlots[node]
        let byte = cursor.peek
        if byte == UInt8(ascii: "n") {
            guard cursor.literal("null") else { throw cursor.malformed("bad literal") }
            if slot >= 0 { seen[slot] = 0 }
            return
        }
        if slot < 0 {
            switch byte {
            case UInt8(ascii: "{"):
                if !hasChildren(node) {
                    try cursor.skipValue(depth: depth)
                } else {
                    try object(&cursor, node: node, depth: depth + 1)
                }
            case UInt8(ascii: "\"") where node == probeNode:
                let start = cursor.index + 1
                guard let escapes = cursor.string() else { throw cursor.malformed("bad string") }
                if !escapes { dataset = start..<(cursor.index - 1) }
            default:
                if hasChildren(node) {
                    throw Failure(message: "\(pathName(node)) must be an object, got \(Cursor.kindName(byte))",
                                  malformed: false)
                }
                try cursor.skipValue(depth: depth)
            }
            return
        }
        if byte == UInt8(ascii: "[") {
            guard isList[slot] else { throw mismatch(slot, got: byte) }
            try list(&cursor, slot: slot)
            return
        }
        guard !isList[slot] else { throw mismatch(slot, got: byte) }
        let probeStart = cursor.index + 1
        let (number, text) = try scalar(&cursor, slot: slot)
        numbers[slot] = number
        texts[slot] = text
        seen[slot] = generation
        if node == probeNode && byte == UInt8(ascii: "\"") && text.inRecord { dataset = probeStart..<text.end }
    }

    private func list(_ cursor: inout Cursor, slot: Int) throws(Failure) {
        cursor.index += 1
        cursor.skipWhitespace()
        listStarts[slot] = elementNull.count
        var count = 0
        if cursor.peek == UInt8(ascii: "]") {
            cursor.index += 1
        } else {
            while true {
                let byte = cursor.peek
                if byte == UInt8(ascii: "n") {
                    guard cursor.literal("null") else { throw cursor.malformed("bad literal") }
                    elementNumbers.append(0)
                    elementTexts.append(TextRange(inRecord: true, start: 0, end: 0))
                    elementNull.append(true)
                } else {
                    guard byte != UInt8(ascii: "[") && byte != UInt8(ascii: "{") else {
                        throw Failure(message: "\(schema.columns[slot].name) must be a list of \(scalars[slot].rawValue), "
                            + "got a list holding \(Cursor.kindName(byte))", malformed: false)
                    }
                    let (number, text) = try scalar(&cursor, slot: slot)
                    elementNumbers.append(number)
                    elementTexts.append(text)
                    elementNull.append(false)
                }
                count += 1
                cursor.skipWhitespace()
                if cursor.peek == UInt8(ascii: ",") {
                    cursor.index += 1
                    cursor.skipWhitespace()
                    continue
                }
                guard cursor.peek == UInt8(ascii: "]") else { throw cursor.malformed("expected ',' or ']'") }
                cursor.index += 1
                break
            }
        }
        listCounts[slot] = count
        seen[slot] = generation
    }

    /// Reads the scalar at the cursor as the type of column `slot`.
    private func scalar(_ cursor: inout Cursor, slot: Int) throws(Failure) -> (Int64, TextRange) {
        let byte = cursor.peek
        let empty = TextRange(inRecord: true, start: 0, end: 0)
        switch scalars[slot] {
        case .string:
            guard byte == UInt8(ascii: "\"") else { throw mismatch(slot, got: byte) }
            return (0, try text(&cursor, slot: slot))
        case .boolean:
            if cursor.literal("true") { return (1, empty) }
            if cursor.literal("false") { return (0, empty) }
            throw mismatch(slot, got: byte)
        case .int:
            guard byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                throw mismatch(slot, got: byte)
            }
            let start = cursor.index
            guard let integral = cursor.number() else { throw cursor.malformed("bad number") }
            guard integral, let value = Self.integer(UnsafeBufferPointer(rebasing: cursor.bytes[start..<cursor.index])) else {
                let written = String(decoding: UnsafeBufferPointer(rebasing: cursor.bytes[start..<min(cursor.index, start + 40)]),
                                     as: UTF8.self)
                throw Failure(message: "\(schema.columns[slot].name) must be a 64-bit integer, got \(written)",
                              malformed: false)
            }
            return (value, empty)
        case .double:
            guard byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                throw mismatch(slot, got: byte)
            }
            let start = cursor.index
            guard cursor.number() != nil else { throw cursor.malformed("bad number") }
            let written = String(decoding: UnsafeBufferPointer(rebasing: cursor.bytes[start..<cursor.index]), as: UTF8.self)
            guard let value = Double(written), value.isFinite else {
                throw Failure(message: "\(schema.columns[slot].name) is out of range for a double: \(written.prefix(40))",
                              malformed: false)
            }
            return (Int64(bitPattern: value.bitPattern), empty)
        case .timestamp:
            guard byte == UInt8(ascii: "\"") else { throw mismatch(slot, got: byte) }
            let range = try text(&cursor, slot: slot)
            let parsed: Timestamp? = range.inRecord
                ? Timestamp(parsingRFC3339: UnsafeBufferPointer(rebasing: cursor.bytes[range.start..<range.end]))
                : unescaped.withUnsafeBufferPointer { Timestamp(parsingRFC3339: UnsafeBufferPointer(rebasing: $0[range.start..<range.end])) }
            guard let parsed else {
                throw Failure(message: "\(schema.columns[slot].name) must be an RFC 3339 date-time, got \(quotedPrefix(range, cursor.bytes))",
                              malformed: false)
            }
            return (parsed.nanoseconds, empty)
        }
    }

    /// Reads a string at the cursor, unescaping it when needed, and checks that it is UTF-8.
    private func text(_ cursor: inout Cursor, slot: Int) throws(Failure) -> TextRange {
        let start = cursor.index + 1
        guard let escapes = cursor.string() else { throw cursor.malformed("bad string") }
        let end = cursor.index - 1
        let source = UnsafeBufferPointer(rebasing: cursor.bytes[start..<end])
        if !escapes {
            guard UTF8Check.isValid(source) else {
                throw Failure(message: "\(schema.columns[slot].name) is not valid UTF-8", malformed: false)
            }
            return TextRange(inRecord: true, start: start, end: end)
        }
        let from = unescaped.count
        guard JSONStringDecoder.unescape(source, into: &unescaped) else { throw cursor.malformed("bad escape") }
        let valid = unescaped.withUnsafeBufferPointer { UTF8Check.isValid(UnsafeBufferPointer(rebasing: $0[from...])) }
        guard valid else { throw Failure(message: "\(schema.columns[slot].name) is not valid UTF-8", malformed: false) }
        return TextRange(inRecord: false, start: from, end: unescaped.count)
    }

    // MARK: - Messages

    private func mismatch(_ slot: Int, got byte: UInt8) -> Failure {
        let column = schema.columns[slot]
        let expected = column.type.isList ? "a list of \(column.type.scalar.rawValue)"
            : Self.article(column.type.scalar)
        return Failure(message: "\(column.name) must be \(expected), got \(Cursor.kindName(byte))", malformed: false)
    }

    private static func article(_ scalar: ArchiveColumnType.Scalar) -> String {
        switch scalar {
        case .string: "a string"
        case .int: "an integer"
        case .double: "a number"
        case .boolean: "a boolean"
        case .timestamp: "an RFC 3339 date-time string"
        }
    }

    private func quotedPrefix(_ range: TextRange, _ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text: String = range.inRecord
            ? String(decoding: UnsafeBufferPointer(rebasing: bytes[range.start..<range.end]), as: UTF8.self)
            : String(decoding: unescaped[range.start..<range.end], as: UTF8.self)
        return "\"" + (text.count > 40 ? String(text.prefix(40)) + "…" : text) + "\""
    }

    /// The dotted path of a trie node, for messages (a linear search; only on failure).
    private func pathName(_ target: Int) -> String {
        func walk(_ node: Int, _ prefix: [String]) -> [String]? {
            if node == target { return prefix }
            for edge in edges[Int(edgeStarts[node])..<Int(edgeStarts[node + 1])] {
                let name = edgeNames[Int(edge.nameStart)..<Int(edge.nameStart + edge.nameCount)]
                if let found = walk(Int(edge.node), prefix + [String(decoding: name, as: UTF8.self)]) { return found }
            }
            return nil
        }
        return walk(0, [])?.joined(separator: ".") ?? "a member"
    }

    /// Parses an integer written without fraction or exponent; nil when it overflows.
    static func integer(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let negative = text.first == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < text.count else { return nil }
        var value: Int64 = 0
        while index < text.count {
            let digit = Int64(text[index] &- UInt8(ascii: "0"))
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflowA || overflowB { return nil }
            value = next
            index += 1
        }
        return value
    }
}

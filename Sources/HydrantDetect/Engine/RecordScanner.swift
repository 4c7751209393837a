import HydrantRecords

/// One pass over a JSON record that copies out the values of the fields in a `FieldTrie` (scalars, and each
/// scalar element of an array) and skips everything else. Malformed JSON or nesting deeper than
/// `maximumDepth` fails the record.
///
/// Strings are skipped eight bytes at a time (a word is tested at once for a quote, a backslash or a control
/// byte), and member names are resolved through the trie's hash table, so the cost per record is one pass
/// over its bytes plus one hash per member name.
struct RecordScanner {
    static let maximumDepth = 64

    private let base: UnsafePointer<UInt8>
    private let count: Int
    private var index = 0
    private var scratch: [UInt8]
    private let names: MemberNameCache?
    /// The record's quote bits, when it has no escape and no control byte in a string: string ends by bit search.
    private let masks: StructuralMasks?

    private init(base: UnsafePointer<UInt8>, count: Int, scratch: [UInt8], names: MemberNameCache?,
                 masks: StructuralMasks?) {
        self.base = base
        self.count = count
        self.scratch = scratch
        self.names = names
        self.masks = masks
    }

    /// Scans `record` and fills `values` (reset for the record); returns false for malformed JSON or a top level that is not an object.
    /// `names`, when given, remembers member names between records (it must only ever see this `trie`); `index`,
    /// when given, is built for the record so that strings end by bit search; `layouts`, when given with `index`,
    /// scans records laid out like earlier ones by their layout and learns the layouts of the others (it must only
    /// ever see this `trie`).
    static func scan(_ record: UnsafeBufferPointer<UInt8>, trie: FieldTrie, into values: RecordValues,
                     scratch: inout [UInt8], names: MemberNameCache? = nil, index: StructuralIndex? = nil,
                     layouts: RecordLayouts? = nil) -> Bool {
        guard let base = record.baseAddress, !record.isEmpty else { return false }
        values.hold(record: record)
        // The layouts need no index (they compare text and find string ends themselves): it is built on a miss.
        if let layouts, index != nil, record.count <= StructuralIndex.maximumBytes {
            if layouts.match(UnsafePointer(values.arena), record.count, values: values) { return true }
            // A miss may have entered some values before the layouts parted from the record.
            values.clear()
        }
        let masks = index?.build(record)
        var scanner = RecordScanner(base: base, count: record.count, scratch: scratch, names: names, masks: masks)
        scratch = []
        defer { scratch = scanner.scratch }
        scanner.skipWhitespace()
        guard scanner.index < record.count, base[scanner.index] == UInt8(ascii: "{") else { return false }
        guard scanner.object(node: 0, depth: 1, trie: trie, values: values) else { return false }
        scanner.skipWhitespace()
        guard scanner.index == record.count else { return false }
        if let layouts, let masks { layouts.learn(record, masks: masks, trie: trie) }
        return true
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < count, JSONScanner.isWhitespace(base[index]) { index += 1 }
    }

    private mutating func object(node: Int, depth: Int, trie: FieldTrie, values: RecordValues) -> Bool {
        guard depth <= Self.maximumDepth else { return false }
        index += 1
        skipWhitespace()
        guard index < count else { return false }
        if base[index] == UInt8(ascii: "}") { index += 1; return true }
        var position = 0
        while true {
            guard index < count, base[index] == UInt8(ascii: "\"") else { return false }
            let nameStart = index + 1
            guard let escapes = string() else { return false }
            let nameEnd = index - 1
            skipWhitespace()
            guard index < count, base[index] == UInt8(ascii: ":") else { return false }
            index += 1
            skipWhitespace()
            let child = node >= 0 ? match(nameStart, nameEnd, escapes: escapes, node: node, position: position, trie: trie) : -1
            position &+= 1
            guard value(node: child, depth: depth, trie: trie, values: values) else { return false }
            skipWhitespace()
            guard index < count else { return false }
            if base[index] == UInt8(ascii: ",") { index += 1; skipWhitespace(); continue }
            guard base[index] == UInt8(ascii: "}") else { return false }
            index += 1
            return true
        }
    }

    /// The child of `node` named by the member name between `start` and `end`, or -1; `position` is the member's
    /// place in its object (for the name cache).
    private mutating func match(_ start: Int, _ end: Int, escapes: Bool, node: Int, position: Int, trie: FieldTrie) -> Int {
        if trie.childCount[node] == 0 { return -1 }
        let length = end - start
        if let names, !escapes, length <= MemberNameCache.maximumLength, start + 8 <= count {
            let words = MemberNameCache.words(base + start, length)
            if let child = names.child(node: node, position: position, length: length, words: words) { return child }
            let child = trie.child(of: node, base + start, length)
            names.remember(node: node, position: position, length: length, words: words, child: child)
            return child
        }
        if escapes {
            scratch.removeAll(keepingCapacity: true)
            guard JSONStringDecoder.unescape(UnsafeBufferPointer(start: base + start, count: end - start), into: &scratch)
            else { return -1 }
            return scratch.withUnsafeBufferPointer { buffer in
                guard let pointer = buffer.baseAddress else { return -1 }
                return trie.child(of: node, pointer, buffer.count)
            }
        }
        return trie.child(of: node, base + start, end - start)
    }

    /// Parses the value at `index`; `node` is the trie node it sits at (-1 when no field lies below).
    private mutating func value(node: Int, depth: Int, trie: FieldTrie, values: RecordValues) -> Bool {
        guard index < count else { return false }
        let slot = node >= 0 ? Int(trie.field[node]) : -1
        switch base[index] {
        case UInt8(ascii: "{"):
            return object(node: node >= 0 && trie.childCount[node] > 0 ? node : -1, depth: depth + 1, trie: trie,
                          values: values)
        case UInt8(ascii: "["):
            return array(node: node, depth: depth + 1, trie: trie, values: values)
        case UInt8(ascii: "\""):
            let start = index + 1
            guard let escapes = string() else { return false }
            if slot >= 0 {
                let contents = UnsafeBufferPointer(start: base + start, count: index - 1 - start)
                if escapes {
                    scratch.removeAll(keepingCapacity: true)
                    guard JSONStringDecoder.unescape(contents, into: &scratch) else { return false }
                    scratch.withUnsafeBufferPointer { values.append(slot: slot, kind: .string, bytes: $0) }
                } else {
                    values.appendHeld(slot: slot, kind: .string, start: start, length: contents.count)
                }
            }
            return true
        case UInt8(ascii: "t"):
            guard literal("true") else { return false }
            if slot >= 0 { values.appendHeld(slot: slot, kind: .bool, start: index - 4, length: 4) }
            return true
        case UInt8(ascii: "f"):
            guard literal("false") else { return false }
            if slot >= 0 { values.appendHeld(slot: slot, kind: .bool, start: index - 5, length: 5) }
            return true
        case UInt8(ascii: "n"):
            return literal("null")
        default:
            let start = index
            guard number() else { return false }
            if slot >= 0 { values.appendHeld(slot: slot, kind: .number, start: start, length: index - start) }
            return true
        }
    }

    /// An array's elements sit at the same trie node as the array: scalars become values of its field and
    /// objects are searched for the fields below it (`dns.answers` as a list of objects).
    private mutating func array(node: Int, depth: Int, trie: FieldTrie, values: RecordValues) -> Bool {
        guard depth <= Self.maximumDepth else { return false }
        index += 1
        skipWhitespace()
        guard index < count else { return false }
        if base[index] == UInt8(ascii: "]") { index += 1; return true }
        while true {
            guard value(node: node, depth: depth, trie: trie, values: values) else { return false }
            skipWhitespace()
            guard index < count else { return false }
            if base[index] == UInt8(ascii: ",") { index += 1; skipWhitespace(); continue }
            guard base[index] == UInt8(ascii: "]") else { return false }
            index += 1
            return true
        }
    }

    /// Skips the string whose opening quote is at `index`; returns whether it holds escapes, or nil when it is
    /// unterminated, holds a raw control byte or has an escape JSON does not allow.
    @inline(__always)
    private mutating func string() -> Bool? {
        if let masks {
            // Indexed: no string of this record holds an escape or a control byte, so the next quote closes it.
            let end = masks.nextQuote(from: index + 1)
            guard end < count else { return nil }
            index = end + 1
            return false
        }
        guard let string = JSONScanner.endOfString(in: UnsafeBufferPointer(start: base, count: count), openingQuote: index)
        else { return nil }
        index = string.end
        return string.hasEscapes
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard index + length <= count else { return false }
        let text = word.utf8Start
        for offset in 0..<length where base[index + offset] != text[offset] { return false }
        index += length
        return true
    }

    private mutating func number() -> Bool {
        let start = index
        index = Self.numberEnd(base, from: start, count: count)
        return index > start
    }

    /// Where the run of characters a JSON number may hold (digits, signs, point, exponent) that starts at `start`
    /// ends: the scans take a number's text as it stands and leave its syntax to the tests that read it.
    @inline(__always)
    static func numberEnd(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int {
        var end = start
        while end < count {
            switch base[end] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                 UInt8(ascii: "e"), UInt8(ascii: "E"):
                end &+= 1
            default:
                return end
            }
        }
        return end
    }
}

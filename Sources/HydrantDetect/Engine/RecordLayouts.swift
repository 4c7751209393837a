import CByteSearch
import HydrantRecords

/// The layouts of the records the scanner has seen, as a tree of the text between their values, so that a record
/// laid out like an earlier one is scanned by comparing that text and reading only its values.
///
/// Records of one dataset repeat the same members in the same order: between two values, a DNS record always holds
/// `,"port":` or `},"network":{"transport":`. A layout is the sequence of those pieces of text (member names with
/// their quotes, colons, commas and brackets, exactly as written) with a hole for each scalar value and for each
/// array of scalars. Layouts that begin alike share their first nodes, so the tree's nodes are pieces of text, each
/// followed by a hole (or by the end of the record); a node's children are the texts seen after its hole.
///
/// Matching a record walks the tree: at each step the first child whose text equals the record's next bytes is
/// taken, and the hole after it is read as the full scanner reads a value (a string up to its closing quote, a
/// number, `true`, `false` or `null`, or an array of those), its value entered in place when the hole's field slot
/// is read by a rule. A record that matches a layout to its last byte is exactly as valid as the record the layout
/// was learnt from, since the two differ only in the holes and the holes are checked as the full scan checks them;
/// every other record (any difference in its text, whitespace, a hole holding an object) is a miss and goes through
/// the full scan, which decides, and is then learnt when it was accepted.
///
/// Only records with no escape and no control byte in a string are matched (a string holding one is a miss) or
/// learnt (they need a structural index), so names and string values never need unescaping. The tree is bounded
/// (`maximumNodes`, `maximumTextBytes`, `maximumChildren`) and starts over when full. One instance belongs to one
/// engine (one task at a time) and must only ever see one `FieldTrie`.
final class RecordLayouts {
    /// At most this many nodes; the tree is cleared when a new layout would not fit.
    static let maximumNodes = 4096
    /// At most this many bytes of text over all nodes.
    static let maximumTextBytes = 1 << 18
    /// At most this many children per node: a record is compared with each child's text in turn, so records that
    /// part in many ways at one place (hostile input) are left to the full scan rather than slowing every record.
    static let maximumChildren = 32

    private struct Node {
        /// The text's first 16 bytes as two words, zero past its end, and the masks that keep only its bytes: most
        /// texts (`,"port":`, `},"dns":{"id":`) are compared with two loads and no loop.
        var head0: UInt64
        var head1: UInt64
        var mask0: UInt64
        var mask1: UInt64
        var textStart: Int32
        var textLength: Int32
        /// The field slot the hole after the text fills, or -1 (no rule reads it, or the node ends the record).
        var slot: Int32
        var firstChild: Int32
        var nextSibling: Int32
        /// The text closes the record: no hole follows, and the record must end right after it.
        var isEnd: Bool

        static let root = Node(head0: 0, head1: 0, mask0: 0, mask1: 0, textStart: 0, textLength: 0, slot: -1,
                               firstChild: -1, nextSibling: -1, isEnd: false)
    }

    private let nodes: UnsafeMutablePointer<Node>
    private var nodeCount = 0
    private let text: UnsafeMutablePointer<UInt8>
    private var textCount = 0
    /// Hole spans of the record being learnt (start, end, slot), reused between records.
    private var holes: [(start: Int32, end: Int32, slot: Int32)] = []

    /// The number of nodes, the root included (for tests).
    var count: Int { nodeCount }

    init() {
        nodes = .allocate(capacity: Self.maximumNodes)
        // Padded: text is compared a whole word at a time, and a node's head words are read 16 bytes past its start.
        text = .allocate(capacity: Self.maximumTextBytes + 16)
        clear()
    }

    deinit {
        nodes.deallocate()
        text.deallocate()
    }

    /// Forgets every layout.
    func clear() {
        nodes.initialize(to: .root)
        nodeCount = 1
        textCount = 0
    }

    // MARK: - Matching

    /// Scans the `count` bytes at `base` along a known layout, filling `values`; false when no layout matches the
    /// whole record (`values` may then hold part of its values: the caller clears them). `base` is the record's copy
    /// in `values` (`RecordValues.hold(record:)`), which can be read `RecordValues.paddingBytes` past its end: text
    /// and strings are compared and searched 8 and 16 bytes at a time. `count` is at most
    /// `StructuralIndex.maximumBytes` (values are entered with `RecordValues.appendHeldFromShortRecord`).
    func match(_ base: UnsafePointer<UInt8>, _ count: Int, values: RecordValues) -> Bool {
        var position = 0
        var child = Int(nodes[0].firstChild)
        while child >= 0 {
            let candidate = nodes + child
            let length = Int(candidate.pointee.textLength)
            if length <= count &- position, Self.textMatches(candidate, base + position, length, text: text) {
                let hole = position &+ length
                if candidate.pointee.isEnd {
                    if hole == count { return true }
                } else {
                    let end = Self.read(base, count, at: hole, slot: Int(candidate.pointee.slot), values: values)
                    if end >= 0 {
                        position = end
                        child = Int(candidate.pointee.firstChild)
                        continue
                    }
                    if end != Self.notThisNode { return false }
                }
            }
            child = Int(candidate.pointee.nextSibling)
        }
        return false
    }

    /// Whether `node`'s text is the `length` bytes at `bytes` (which can be read 16 bytes on, and 7 past `length`).
    @inline(__always)
    private static func textMatches(_ node: UnsafeMutablePointer<Node>, _ bytes: UnsafePointer<UInt8>, _ length: Int,
                                    text: UnsafeMutablePointer<UInt8>) -> Bool {
        let raw = UnsafeRawPointer(bytes)
        let difference = ((raw.loadUnaligned(as: UInt64.self) ^ node.pointee.head0) & node.pointee.mask0)
            | ((raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) ^ node.pointee.head1) & node.pointee.mask1)
        guard difference == 0 else { return false }
        return length <= 16 || equal(text + Int(node.pointee.textStart) + 16, bytes + 16, length &- 16)
    }

    /// Whether the `count` bytes at `a` and `b` are equal, a word at a time; both may be read up to 7 bytes past
    /// `count` (the tail word is masked).
    @inline(__always)
    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        var i = 0
        while i &+ 8 <= count {
            if x.loadUnaligned(fromByteOffset: i, as: UInt64.self) != y.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i &+= 8
        }
        guard i < count else { return true }
        let mask = UInt64.max &>> UInt64(truncatingIfNeeded: 64 &- 8 &* (count &- i))
        let difference = x.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ y.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        return UInt64(littleEndian: difference) & mask == 0
    }

    /// `read`'s answer for a value another node may read: an object, or an array holding an object or an array.
    private static let notThisNode = -2

    /// Reads the value at `start` as the full scan would and enters it (each element of an array of scalars) into
    /// `slot` when that is a slot; returns where it ends, `notThisNode` when the value is an object or an array
    /// opening with an object or an array (another node's text may continue there), or -1 when the full scan must
    /// decide (malformed, whitespace, an escape, or an array holding an object after a scalar).
    @inline(__always)
    private static func read(_ base: UnsafePointer<UInt8>, _ count: Int, at start: Int, slot: Int,
                             values: RecordValues) -> Int {
        guard start < count else { return -1 }
        switch base[start] {
        case UInt8(ascii: "["):
            var position = start &+ 1
            guard position < count else { return -1 }
            var byte = base[position]
            if byte == UInt8(ascii: "]") { return position &+ 1 }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { return notThisNode }
            while true {
                // Values entered before a later element turns out to be an object are not taken back: the
                // record goes to the full scan, which starts over.
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { return -1 }
                position = scalar(base, count, at: position, slot: slot, values: values)
                guard position >= 0, position < count else { return -1 }
                byte = base[position]
                if byte == UInt8(ascii: "]") { return position &+ 1 }
                guard byte == UInt8(ascii: ","), position &+ 1 < count else { return -1 }
                position &+= 1
                byte = base[position]
            }
        case UInt8(ascii: "{"):
            return notThisNode
        default:
            return scalar(base, count, at: start, slot: slot, values: values)
        }
    }

    /// Reads the scalar at `start` (a string, `true`, `false`, `null` or a number, as `RecordScanner` reads them),
    /// entering it into `slot` when that is a slot; returns where it ends, or -1 when it is malformed or a string
    /// holds an escape.
    @inline(__always)
    private static func scalar(_ base: UnsafePointer<UInt8>, _ count: Int, at start: Int, slot: Int,
                               values: RecordValues) -> Int {
        switch base[start] {
        case UInt8(ascii: "\""):
            // The first quote, backslash or control byte, 16 bytes at a time (the copy is padded: from a position
            // inside the record, 16 bytes can be read); a string holding a backslash or a control byte is left to
            // the full scan (unescaping, or a malformed record).
            var end = start &+ 1
            while true {
                let stop = Int(hydrant_string_stop16(base + end))
                if stop < 16 { end &+= stop; break }
                end &+= 16
                guard end < count else { return -1 }
            }
            guard end < count, base[end] == UInt8(ascii: "\"") else { return -1 }
            if slot >= 0 { values.appendHeldFromShortRecord(slot: slot, kind: .string, start: start &+ 1, length: end &- start &- 1) }
            return end &+ 1
        case UInt8(ascii: "t"):
            guard start &+ 4 <= count, word(base + start, 4) == trueWord else { return -1 }
            if slot >= 0 { values.appendHeldFromShortRecord(slot: slot, kind: .bool, start: start, length: 4) }
            return start &+ 4
        case UInt8(ascii: "f"):
            guard start &+ 5 <= count, word(base + start, 5) == falseWord else { return -1 }
            if slot >= 0 { values.appendHeldFromShortRecord(slot: slot, kind: .bool, start: start, length: 5) }
            return start &+ 5
        case UInt8(ascii: "n"):
            return start &+ 4 <= count && word(base + start, 4) == nullWord ? start &+ 4 : -1
        default:
            let end = numberEnd(base, count, from: start)
            guard end > start else { return -1 }
            if slot >= 0 { values.appendHeldFromShortRecord(slot: slot, kind: .number, start: start, length: end &- start) }
            return end
        }
    }

    /// The first `length` bytes at `bytes` (which can be read 8 bytes on) as a word, the rest zero.
    @inline(__always)
    private static func word(_ bytes: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        UnsafeRawPointer(bytes).loadUnaligned(as: UInt64.self) & mask(keeping: length)
    }

    /// `true`, `false` and `null` as `word` reads them (a constant, not a lazily made global).
    private static var trueWord: UInt64 { UInt64(littleEndian: 0x6575_7274) }
    private static var falseWord: UInt64 { UInt64(littleEndian: 0x65_7361_6C66) }
    private static var nullWord: UInt64 { UInt64(littleEndian: 0x6C6C_756E) }

    /// `RecordScanner.numberEnd`, a word of digits at a time: the bytes past the record are padding, so the end is
    /// capped at `count`; a sign, point or exponent hands over to the byte loop.
    @inline(__always)
    private static func numberEnd(_ base: UnsafePointer<UInt8>, _ count: Int, from start: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        var end = start
        while true {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + end).loadUnaligned(as: UInt64.self))
            // Digits become 0…9; a byte is flagged when it is 10 or more (its low seven bits reach 0x80 when 0x76
            // is added, with no carry into the next byte) or has its high bit set.
            let shifted = word ^ (ones &* 0x30)
            let flags = (((shifted & (ones &* 0x7F)) &+ (ones &* 0x76)) | shifted) & (ones &* 0x80)
            if flags != 0 {
                end &+= flags.trailingZeroBitCount &>> 3
                break
            }
            end &+= 8
            if end >= count { return count }
        }
        guard end < count else { return count }
        switch base[end] {
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
            return RecordScanner.numberEnd(base, from: end, count: count)
        default:
            return end
        }
    }

    // MARK: - Learning

    /// Adds the layout of a record the full scan accepted (with `trie`; `masks` are its index). Records with
    /// whitespace between tokens are not learnt: a layout holds text exactly as written, and such records are rare.
    func learn(_ record: UnsafeBufferPointer<UInt8>, masks: StructuralMasks, trie: FieldTrie) {
        guard let base = record.baseAddress else { return }
        holes.removeAll(keepingCapacity: true)
        var walker = LayoutWalker(base: base, count: record.count, masks: masks, trie: trie)
        guard walker.index < record.count, base[0] == UInt8(ascii: "{"),
              walker.object(node: 0, depth: 1, holes: &holes), walker.index == record.count else { return }
        // Each hole adds at most one node, and the texts are at most the record.
        if nodeCount + holes.count + 1 > Self.maximumNodes || textCount + record.count > Self.maximumTextBytes { clear() }
        guard nodeCount + holes.count + 1 <= Self.maximumNodes, textCount + record.count <= Self.maximumTextBytes else {
            return
        }
        var node = 0
        var position = 0
        for hole in holes {
            node = child(of: node, base + position, Int(hole.start) - position, slot: hole.slot, isEnd: false)
            guard node >= 0 else { return }
            position = Int(hole.end)
        }
        _ = child(of: node, base + position, record.count - position, slot: -1, isEnd: true)
    }

    /// The child of `parent` with this text, slot and end flag, added after its siblings when there is none; -1 when
    /// `parent` has `maximumChildren` children already.
    private func child(of parent: Int, _ bytes: UnsafePointer<UInt8>, _ length: Int, slot: Int32, isEnd: Bool) -> Int {
        var last = -1
        var siblings = 0
        var child = Int(nodes[parent].firstChild)
        while child >= 0 {
            siblings += 1
            let node = nodes[child]
            if node.isEnd == isEnd, node.slot == slot, Int(node.textLength) == length,
               FieldTrie.equal(text + Int(node.textStart), bytes, length) {
                return child
            }
            last = child
            child = Int(node.nextSibling)
        }
        guard siblings < Self.maximumChildren else { return -1 }
        let created = nodeCount
        (text + textCount).update(from: bytes, count: length)
        // The head words are read from the text's copy, which is zero past its end up to the padding.
        (text + textCount + length).initialize(repeating: 0, count: 16)
        let head = UnsafeRawPointer(text + textCount)
        (nodes + created).initialize(to: Node(head0: head.loadUnaligned(as: UInt64.self),
                                              head1: head.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                                              mask0: Self.mask(keeping: length), mask1: Self.mask(keeping: length - 8),
                                              textStart: Int32(textCount), textLength: Int32(length), slot: slot,
                                              firstChild: -1, nextSibling: -1, isEnd: isEnd))
        textCount += length
        nodeCount += 1
        if last >= 0 { nodes[last].nextSibling = Int32(created) } else { nodes[parent].firstChild = Int32(created) }
        return created
    }

    /// A mask of a word's first `count` bytes in memory (all of them from 8 on, none below 1).
    @inline(__always)
    private static func mask(keeping count: Int) -> UInt64 {
        if count >= 8 { return .max }
        if count <= 0 { return 0 }
        return UInt64(littleEndian: UInt64.max &>> UInt64(64 - 8 * count))
    }
}

/// Walks a record the full scan accepted and lists its holes: the scalar values and arrays of scalars, each with
/// the field slot the full scan fills from it. Gives up (false) on whitespace between tokens. Node numbers follow
/// `RecordScanner` exactly: an object below a node without children is walked with no node, and an array's
/// elements sit at the array's node.
private struct LayoutWalker {
    let base: UnsafePointer<UInt8>
    let count: Int
    let masks: StructuralMasks
    let trie: FieldTrie
    var index = 0

    init(base: UnsafePointer<UInt8>, count: Int, masks: StructuralMasks, trie: FieldTrie) {
        self.base = base
        self.count = count
        self.masks = masks
        self.trie = trie
    }

    mutating func object(node: Int, depth: Int, holes: inout [(start: Int32, end: Int32, slot: Int32)]) -> Bool {
        guard depth <= RecordScanner.maximumDepth else { return false }
        index += 1
        guard index < count else { return false }
        if base[index] == UInt8(ascii: "}") { index += 1; return true }
        while true {
            guard index < count, base[index] == UInt8(ascii: "\"") else { return false }
            let nameStart = index + 1
            let nameEnd = masks.nextQuote(from: nameStart)
            guard nameEnd + 1 < count, base[nameEnd + 1] == UInt8(ascii: ":") else { return false }
            index = nameEnd + 2
            var child = -1
            if node >= 0, trie.childCount[node] > 0 {
                child = trie.child(of: node, base + nameStart, nameEnd - nameStart)
            }
            guard value(node: child, depth: depth, holes: &holes), index < count else { return false }
            if base[index] == UInt8(ascii: ",") { index += 1; continue }
            guard base[index] == UInt8(ascii: "}") else { return false }
            index += 1
            return true
        }
    }

    mutating func value(node: Int, depth: Int, holes: inout [(start: Int32, end: Int32, slot: Int32)]) -> Bool {
        // A matching record may hold an array where this one holds a scalar, one level deeper: learn only layouts
        // where that still fits under the full scan's depth bound.
        guard index < count, depth + 1 <= RecordScanner.maximumDepth else { return false }
        let slot = Int32(node >= 0 ? Int(trie.field[node]) : -1)
        switch base[index] {
        case UInt8(ascii: "{"):
            return object(node: node >= 0 && trie.childCount[node] > 0 ? node : -1, depth: depth + 1, holes: &holes)
        case UInt8(ascii: "["):
            let start = index
            if let end = scalarArrayEnd() {
                holes.append((Int32(start), Int32(end), slot))
                index = end
                return true
            }
            return array(node: node, depth: depth + 1, holes: &holes)
        default:
            let start = index
            guard skipScalar() else { return false }
            holes.append((Int32(start), Int32(index), slot))
            return true
        }
    }

    /// An array holding an object or an array: its brackets and commas are layout text, its elements holes or
    /// objects.
    mutating func array(node: Int, depth: Int, holes: inout [(start: Int32, end: Int32, slot: Int32)]) -> Bool {
        guard depth <= RecordScanner.maximumDepth else { return false }
        index += 1
        guard index < count else { return false }
        if base[index] == UInt8(ascii: "]") { index += 1; return true }
        while true {
            guard value(node: node, depth: depth, holes: &holes), index < count else { return false }
            if base[index] == UInt8(ascii: ",") { index += 1; continue }
            guard base[index] == UInt8(ascii: "]") else { return false }
            index += 1
            return true
        }
    }

    /// Where the array at `index` ends when it holds only scalars with no whitespace, else nil (index unchanged).
    func scalarArrayEnd() -> Int? {
        var walker = self
        walker.index += 1
        guard walker.index < count else { return nil }
        if base[walker.index] == UInt8(ascii: "]") { return walker.index + 1 }
        while true {
            guard walker.index < count else { return nil }
            let byte = base[walker.index]
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { return nil }
            guard walker.skipScalar(), walker.index < count else { return nil }
            if base[walker.index] == UInt8(ascii: ",") { walker.index += 1; continue }
            guard base[walker.index] == UInt8(ascii: "]") else { return nil }
            return walker.index + 1
        }
    }

    mutating func skipScalar() -> Bool {
        guard index < count else { return false }
        switch base[index] {
        case UInt8(ascii: "\""):
            let end = masks.nextQuote(from: index + 1)
            guard end < count else { return false }
            index = end + 1
        case UInt8(ascii: "t"), UInt8(ascii: "n"):
            index += 4
        case UInt8(ascii: "f"):
            index += 5
        default:
            let start = index
            index = RecordScanner.numberEnd(base, from: start, count: count)
            guard index > start else { return false }
        }
        return index <= count
    }
}

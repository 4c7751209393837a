/// Shapes of JSON documents learnt from documents `JSONScanner.find` accepted, so that a document of a shape seen
/// before is checked and its paths found by comparing text instead of walking it.
///
/// Records of one kind repeat the same member names, punctuation and literals in the same order; only their string
/// and number values change. A shape keeps a learnt document as text pieces, each followed by a hole for a string's
/// content or a number, and where each looked-for path's value lies. A document matches when every piece equals the
/// document's text at that place and every hole holds the same kind of value: string content with no quote,
/// backslash or control byte, or exactly one JSON number. Such a document is the learnt one with other scalar values:
/// as well formed, as deep, with the same members in the same order, so `find` would accept it and return the same
/// holes. Anything else is a miss, and the scanner decides.
///
/// Bounded against hostile input: `capacity` shapes, each of at most `maximumText` bytes of text and
/// `maximumHoles` holes (larger documents are not learnt). Once all are taken, a new shape replaces the oldest, at
/// most once every `relearnInterval` misses, so documents of ever-new shapes cost one scan each, not a scan and a
/// learning.
public final class JSONShapes {
    /// The most shapes kept.
    public static let capacity = 8
    /// The most text bytes of one shape (not counting its holes).
    public static let maximumText = 4096
    /// The most holes of one shape.
    public static let maximumHoles = 255
    /// Once every shape is taken, misses between two learnings.
    static let relearnInterval = 16

    /// Where one path's value lies in a matching document.
    enum Source {
        case absent
        /// In hole `index`, of this kind.
        case hole(index: Int, kind: JSONScalar.Kind)
        /// In the text: `offset` bytes into piece `piece`, `length` bytes long (a literal such as `true`).
        case text(piece: Int, offset: Int, length: Int, kind: JSONScalar.Kind)
    }

    /// One learnt shape.
    struct Shape {
        /// Every piece's bytes, back to back.
        var text: [UInt8] = []
        /// The end of each piece in `text`; one more piece than holes.
        var pieceEnds: [Int] = []
        /// Whether each hole holds a string's content (true) or a number (false).
        var holeIsString: [Bool] = []
        /// Where each path's value lies.
        var sources: [Source] = []
    }

    private let paths: [JSONPath]
    private var shapes: [Shape] = []
    private var lastMatched = 0
    private var nextReplaced = 0
    private var missesSinceLearning = 0
    /// The start and end of each hole of the document being matched.
    private var holeStarts: [Int] = []
    private var holeEnds: [Int] = []

    /// Documents matched to a shape, and shapes learnt, since this was made (for tests and profiles).
    public private(set) var matches = 0
    /// Shapes learnt.
    public private(set) var learnt = 0

    /// Shapes for finding `paths` (at most `JSONScanner.maximumPaths`).
    public init(paths: [JSONPath]) {
        self.paths = paths
        holeStarts.reserveCapacity(Self.maximumHoles)
        holeEnds.reserveCapacity(Self.maximumHoles)
    }

    /// Finds the paths in `document` as `JSONScanner.find(paths, in:results:maximumDepth:index:)` does, with the
    /// same results and verdict: through a learnt shape when the document has one, by the scanner otherwise (and
    /// then learning the document's shape when it was accepted and has no escapes).
    @discardableResult
    public func find(in document: UnsafeBufferPointer<UInt8>, results: inout [JSONScalar?],
                     maximumDepth: Int = JSONScanner.defaultMaximumDepth, index: StructuralIndex? = nil) -> Bool {
        if !shapes.isEmpty, let base = document.baseAddress {
            for attempt in 0..<shapes.count {
                let number = (lastMatched + attempt) % shapes.count
                if match(number, base: base, count: document.count, results: &results) {
                    lastMatched = number
                    matches += 1
                    return true
                }
            }
        }
        let wellFormed = JSONScanner.find(paths, in: document, results: &results, maximumDepth: maximumDepth,
                                          index: index)
        if wellFormed {
            if shapes.count < Self.capacity {
                learn(document, results: results)
            } else {
                missesSinceLearning += 1
                if missesSinceLearning >= Self.relearnInterval { learn(document, results: results) }
            }
        }
        return wellFormed
    }

    /// Whether `base` (of `count` bytes) has shape `number`; if so, `results` holds the paths' values.
    private func match(_ number: Int, base: UnsafePointer<UInt8>, count: Int, results: inout [JSONScalar?]) -> Bool {
        holeStarts.removeAll(keepingCapacity: true)
        holeEnds.removeAll(keepingCapacity: true)
        let matched: Bool = shapes[number].text.withUnsafeBufferPointer { text in
            guard let textBase = text.baseAddress else { return false }
            let shape = shapes[number]
            var position = 0
            var pieceStart = 0
            for piece in 0..<shape.pieceEnds.count {
                let pieceEnd = shape.pieceEnds[piece]
                let length = pieceEnd - pieceStart
                guard length <= count - position,
                      Self.equal(base + position, textBase + pieceStart, length) else { return false }
                position += length
                pieceStart = pieceEnd
                guard piece < shape.holeIsString.count else { break }
                let holeStart = position
                if shape.holeIsString[piece] {
                    position = JSONScanner.stringSpecialByte(in: base, from: position, to: count)
                    // Only the closing quote may end the content: an escape or a control byte is a miss.
                    guard position < count, base[position] == UInt8(ascii: "\"") else { return false }
                } else {
                    guard let end = Self.numberEnd(base, from: position, count: count) else { return false }
                    position = end
                }
                holeStarts.append(holeStart)
                holeEnds.append(position)
            }
            return position == count
        }
        guard matched else { return false }
        results.removeAll(keepingCapacity: true)
        for source in shapes[number].sources {
            switch source {
            case .absent:
                results.append(nil)
            case .hole(let index, let kind):
                results.append(JSONScalar(kind: kind, range: holeStarts[index]..<holeEnds[index]))
            case .text(let piece, let offset, let length, let kind):
                let start = (piece == 0 ? 0 : holeEnds[piece - 1]) + offset
                results.append(JSONScalar(kind: kind, range: start..<(start + length)))
            }
        }
        return true
    }

    /// Learns the shape of `document`, which the scanner accepted with `results`, when it has no escape and fits
    /// the bounds; a full set replaces its oldest shape.
    private func learn(_ document: UnsafeBufferPointer<UInt8>, results: [JSONScalar?]) {
        missesSinceLearning = 0
        guard let shape = Self.shape(of: document, results: results) else { return }
        learnt += 1
        if shapes.count < Self.capacity {
            shapes.append(shape)
        } else {
            shapes[nextReplaced] = shape
            nextReplaced = (nextReplaced + 1) % Self.capacity
        }
    }

    /// The shape of an accepted document: text cut at every value string's content and every number, with each
    /// result placed in a hole or in the text; nil when the document has an escape or exceeds the bounds.
    static func shape(of document: UnsafeBufferPointer<UInt8>, results: [JSONScalar?]) -> Shape? {
        guard let base = document.baseAddress else { return nil }
        var shape = Shape()
        var holeRanges: [Range<Int>] = []
        var pieceStart = 0
        var position = 0
        let count = document.count
        while position < count {
            let byte = base[position]
            if byte == UInt8(ascii: "\"") {
                let contentStart = position + 1
                let end = JSONScanner.stringSpecialByte(in: base, from: contentStart, to: count)
                // The scanner accepted the document, so the first special byte closes the string unless it is an
                // escape, which shapes do not hold.
                guard end < count, base[end] == UInt8(ascii: "\"") else { return nil }
                var after = end + 1
                while after < count, JSONScanner.isWhitespace(base[after]) { after += 1 }
                let isMemberName = after < count && base[after] == UInt8(ascii: ":")
                if !isMemberName {
                    shape.text.append(contentsOf: UnsafeBufferPointer(start: base + pieceStart, count: contentStart - pieceStart))
                    shape.pieceEnds.append(shape.text.count)
                    shape.holeIsString.append(true)
                    holeRanges.append(contentStart..<end)
                    pieceStart = end
                }
                position = end + 1
            } else if byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                guard let end = numberEnd(base, from: position, count: count) else { return nil }
                shape.text.append(contentsOf: UnsafeBufferPointer(start: base + pieceStart, count: position - pieceStart))
                shape.pieceEnds.append(shape.text.count)
                shape.holeIsString.append(false)
                holeRanges.append(position..<end)
                pieceStart = end
                position = end
            } else {
                position += 1
            }
            guard shape.holeIsString.count <= maximumHoles, shape.text.count <= maximumText else { return nil }
        }
        shape.text.append(contentsOf: UnsafeBufferPointer(start: base + pieceStart, count: count - pieceStart))
        shape.pieceEnds.append(shape.text.count)
        guard shape.text.count <= maximumText else { return nil }
        for result in results {
            guard let result else {
                shape.sources.append(.absent)
                continue
            }
            if let hole = holeRanges.firstIndex(of: result.range) {
                shape.sources.append(.hole(index: hole, kind: result.kind))
                continue
            }
            // A literal: in the piece after the last hole that ends at or before it.
            let piece = holeRanges.lastIndex { $0.upperBound <= result.range.lowerBound }.map { $0 + 1 } ?? 0
            let pieceOrigin = piece == 0 ? 0 : holeRanges[piece - 1].upperBound
            shape.sources.append(.text(piece: piece, offset: result.range.lowerBound - pieceOrigin,
                                       length: result.range.count, kind: result.kind))
        }
        return shape
    }

    /// The end of the JSON number (RFC 8259) starting at `start`, or nil when there is none there.
    static func numberEnd(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int? {
        var index = start
        @inline(__always) func isDigit(_ at: Int) -> Bool {
            at < count && base[at] >= UInt8(ascii: "0") && base[at] <= UInt8(ascii: "9")
        }
        if index < count, base[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit(index) else { return nil }
        if base[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < count, base[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { return nil }
            while isDigit(index) { index += 1 }
        }
        if index < count, base[index] == UInt8(ascii: "e") || base[index] == UInt8(ascii: "E") {
            index += 1
            if index < count, base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { return nil }
            while isDigit(index) { index += 1 }
        }
        return index
    }

    /// Whether the `length` bytes at `a` and `b` are equal, eight at a time.
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        var offset = 0
        while offset + 8 <= length {
            if UnsafeRawPointer(a + offset).loadUnaligned(as: UInt64.self)
                != UnsafeRawPointer(b + offset).loadUnaligned(as: UInt64.self) { return false }
            offset += 8
        }
        while offset < length {
            if a[offset] != b[offset] { return false }
            offset += 1
        }
        return true
    }
}
